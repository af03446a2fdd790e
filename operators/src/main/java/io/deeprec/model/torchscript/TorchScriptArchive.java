package io.deeprec.model.torchscript;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads the argument names of a TorchScript module's {@code forward} from its file, which DJL does
 * not expose: a saved module is a zip whose {@code data.pkl} names the root module's class first
 * and whose {@code code/} holds that class's TorchScript source, {@code def forward(self, dense:
 * Tensor, ...)}. Plain Java.
 */
final class TorchScriptArchive {
  private static final int PICKLE_PROTO = 0x80;
  private static final int PICKLE_GLOBAL = 'c';

  private TorchScriptArchive() {}

  /** The forward's argument names without {@code self}, or empty when the file is not laid out as expected. */
  static Optional<List<String>> forwardArguments(Path module) {
    try (ZipFile zip = new ZipFile(module.toFile())) {
      ZipEntry pickle = rootEntry(zip, "data.pkl");
      if (pickle == null) {
        return Optional.empty();
      }
      String prefix = pickle.getName().substring(0, pickle.getName().length() - "data.pkl".length());
      String[] rootClass = rootClass(read(zip, pickle));
      if (rootClass == null) {
        return Optional.empty();
      }
      ZipEntry code = zip.getEntry(prefix + "code/" + rootClass[0].replace('.', '/') + ".py");
      if (code == null) {
        return Optional.empty();
      }
      return forwardArguments(new String(read(zip, code), StandardCharsets.UTF_8), rootClass[1]);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The argument names of {@code className}'s forward in TorchScript source, without {@code self}. */
  static Optional<List<String>> forwardArguments(String source, String className) {
    int at = source.indexOf("class " + className + "(");
    if (at < 0) {
      return Optional.empty();
    }
    int def = source.indexOf("def forward(", at);
    if (def < 0) {
      return Optional.empty();
    }
    int start = def + "def forward(".length();
    List<String> names = new ArrayList<>();
    int depth = 0;
    StringBuilder argument = new StringBuilder();
    for (int i = start; i < source.length(); i++) {
      char c = source.charAt(i);
      if (depth == 0 && (c == ',' || c == ')')) {
        String name = argument.toString().split(":", 2)[0].strip();
        if (!name.isEmpty()) {
          names.add(name);
        }
        argument.setLength(0);
        if (c == ')') {
          return names.isEmpty() ? Optional.empty() : Optional.of(names.subList(1, names.size()));
        }
        continue;
      }
      if (c == '[' || c == '(') {
        depth++;
      } else if (c == ']' || c == ')') {
        depth--;
      }
      argument.append(c);
    }
    return Optional.empty();
  }

  /** The {@code [module, class]} of the first GLOBAL opcode of a protocol-2 pickle: the root object's class. */
  private static String[] rootClass(byte[] pickle) {
    if (pickle.length < 3 || (pickle[0] & 0xFF) != PICKLE_PROTO || pickle[2] != PICKLE_GLOBAL) {
      return null;
    }
    String text = new String(pickle, 3, Math.min(pickle.length - 3, 512), StandardCharsets.UTF_8);
    String[] lines = text.split("\n", 3);
    return lines.length < 3 ? null : new String[] {lines[0], lines[1]};
  }

  private static ZipEntry rootEntry(ZipFile zip, String name) {
    Enumeration<? extends ZipEntry> entries = zip.entries();
    while (entries.hasMoreElements()) {
      ZipEntry entry = entries.nextElement();
      String path = entry.getName();
      if (path.endsWith("/" + name) && path.indexOf('/') == path.length() - name.length() - 1) {
        return entry;
      }
    }
    return null;
  }

  private static byte[] read(ZipFile zip, ZipEntry entry) throws IOException {
    try (InputStream in = zip.getInputStream(entry)) {
      return in.readAllBytes();
    }
  }
}
