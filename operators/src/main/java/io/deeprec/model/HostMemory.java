package io.deeprec.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * What this process holds and what the host (or its container) can still give it, read from
 * Linux's {@code /proc} and cgroup v2 files. Embedding tables live in native memory, outside the
 * JVM heap and Flink's accounting, so a table that does not fit is found here, before it is
 * allocated, instead of by the kernel's OOM killer. Plain Java; elsewhere than Linux every reading
 * is empty and the check passes.
 */
public final class HostMemory {
  private static final Path STATUS = Path.of("/proc/self/status");
  private static final Path MEMINFO = Path.of("/proc/meminfo");
  private static final Path CGROUP_MAX = Path.of("/sys/fs/cgroup/memory.max");
  private static final Path CGROUP_CURRENT = Path.of("/sys/fs/cgroup/memory.current");
  /** Headroom kept beside the tables: gathers, MLP activations, allocator slack. */
  static final double HEADROOM = 1.10;

  private HostMemory() {}

  /** Resident set size of this process (VmRSS), if known. */
  public static OptionalLong residentBytes() {
    return kibField(STATUS, "VmRSS:");
  }

  /**
   * Bytes this process can still allocate without swapping or being killed: the host's
   * MemAvailable, capped by the cgroup's limit less its usage when the process runs in a container
   * with a memory limit.
   */
  public static OptionalLong availableBytes() {
    OptionalLong host = kibField(MEMINFO, "MemAvailable:");
    OptionalLong cgroup = cgroupRoom();
    if (host.isEmpty()) {
      return cgroup;
    }
    return cgroup.isPresent() ? OptionalLong.of(Math.min(host.getAsLong(), cgroup.getAsLong())) : host;
  }

  /**
   * Refuses, before anything is allocated, a model whose embedding tables do not fit in the memory
   * this process can still get.
   *
   * @param spec the model about to be built or loaded
   * @throws IllegalStateException naming the table scale setting and the memory it needs
   */
  public static void checkTablesFit(ModelSpec spec) {
    checkTablesFit(spec, availableBytes());
  }

  static void checkTablesFit(ModelSpec spec, OptionalLong available) {
    long needed = (long) (spec.embeddingBytes() * HEADROOM);
    if (available.isPresent() && needed > available.getAsLong()) {
      throw new IllegalStateException(String.format(Locale.ROOT,
          "%s at table scale %s needs %.2f GB of native memory for its embedding tables (%.2f GB + 10%% headroom), "
              + "but this process can get %.2f GB (MemAvailable, or its container's memory.max less usage). "
              + "Lower deeprec.model.table-scale (--table-scale), serve fewer models per TaskManager, or give the "
              + "TaskManager more memory (taskmanager.memory.task.off-heap.size within taskmanager.memory.process.size, "
              + "and the container's limit); see deploy/README.md",
          spec.name(), spec.tableScale(), needed / 1e9, spec.embeddingBytes() / 1e9,
          available.getAsLong() / 1e9));
    }
  }

  private static OptionalLong cgroupRoom() {
    try {
      if (!Files.isReadable(CGROUP_MAX) || !Files.isReadable(CGROUP_CURRENT)) {
        return OptionalLong.empty();
      }
      String max = Files.readString(CGROUP_MAX).trim();
      if (max.equals("max")) {
        return OptionalLong.empty();
      }
      long limit = Long.parseLong(max);
      long current = Long.parseLong(Files.readString(CGROUP_CURRENT).trim());
      return OptionalLong.of(Math.max(0, limit - current));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** A "Name:   123 kB" line of a /proc file, in bytes. */
  static OptionalLong kibField(Path file, String name) {
    try {
      if (!Files.isReadable(file)) {
        return OptionalLong.empty();
      }
      List<String> lines = Files.readAllLines(file);
      return parseKib(lines, name);
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }

  static OptionalLong parseKib(List<String> lines, String name) {
    for (String line : lines) {
      if (line.startsWith(name)) {
        String[] parts = line.substring(name.length()).trim().split("\\s+");
        try {
          return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
        } catch (NumberFormatException e) {
          return OptionalLong.empty();
        }
      }
    }
    return OptionalLong.empty();
  }
}
