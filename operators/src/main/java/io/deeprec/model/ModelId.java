package io.deeprec.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The eight DeepRecInfra models, with the short ids used on the CLI, in queries and in metrics. */
public enum ModelId {
  RMC1("rmc1"),
  RMC2("rmc2"),
  RMC3("rmc3"),
  WND("wnd"),
  MTWND("mtwnd"),
  NCF("ncf"),
  DIN("din"),
  DIEN("dien");

  private final String cliName;

  ModelId(String cliName) {
    this.cliName = cliName;
  }

  /** The short id: {@code rmc1 rmc2 rmc3 wnd mtwnd ncf din dien}. */
  public String cliName() {
    return cliName;
  }

  /** Parses a short id (case-insensitive). */
  public static ModelId parse(String name) {
    String wanted = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    for (ModelId id : values()) {
      if (id.cliName.equals(wanted)) {
        return id;
      }
    }
    throw new IllegalArgumentException("unknown model '" + name + "', expected one of " + names());
  }

  /** Like {@link #parse} but returns null for an unknown name. */
  public static ModelId tryParse(String name) {
    try {
      return parse(name);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The name a job serves {@code name} under: a built-in model's short id (any case), else the name as given. */
  public static String servedName(String name) {
    ModelId id = tryParse(name);
    return id != null ? id.cliName() : name.trim();
  }

  public static String names() {
    return Arrays.stream(values()).map(ModelId::cliName).collect(Collectors.joining(" "));
  }

  @Override
  public String toString() {
    return cliName;
  }
}
