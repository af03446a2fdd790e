package io.deeprec.model;

import io.deeprec.model.TableSpec.Pooling;
import io.deeprec.model.TableSpec.Side;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference configurations of the eight DeepRecInfra models (DESIGN.md's model table, after
 * the DeepRecSys reference repository). Random weights at these shapes are what the reference
 * serves; {@link ModelSpec#withTableScale} shrinks rows for small machines and tests.
 *
 * <p>Where a table is user-side or item-side is our choice (the reference draws every id at
 * random): DLRM and WnD tables are split half user, half item, so candidates of one query share
 * the user half as in production.
 */
public final class ModelCatalog {
  private ModelCatalog() {}

  /** The reference spec of {@code id} at full table size. */
  public static ModelSpec spec(ModelId id) {
    return switch (id) {
      case RMC1 -> rmc1();
      case RMC2 -> rmc2();
      case RMC3 -> rmc3();
      case WND -> wnd();
      case MTWND -> mtwnd(1);
      case NCF -> ncf();
      case DIN -> din(1);
      case DIEN -> dien();
    };
  }

  /**
   * DLRM-RMC1: 8 tables x 4M rows x 32, 80 lookups per table summed; 128 dense features through
   * bottom MLP 128-64-32; concat (8 x 32 + 32 = 288) into top MLP 256-64-1. Embedding-bound: the
   * 640 gathered rows per item dominate. p95 target 100 ms.
   */
  public static ModelSpec rmc1() {
    return ModelSpec.builder(ModelId.RMC1).tables(bags("t", 8, 4_000_000, 32, 80)).denseDim(128)
        .bottomMlp(64, 32).topMlp(256, 64, 1).mediumTargetMs(100).build();
  }

  /**
   * DLRM-RMC2: 32 tables x 500K rows x 64, 120 lookups per table summed; 256 dense through
   * 256-128-64; concat (32 x 64 + 64 = 2112) into 128-64-1. The most embedding-heavy model (3840
   * rows of 64 floats per item). p95 target 400 ms.
   */
  public static ModelSpec rmc2() {
    return ModelSpec.builder(ModelId.RMC2).tables(bags("t", 32, 500_000, 64, 120)).denseDim(256)
        .bottomMlp(128, 64).topMlp(128, 64, 1).mediumTargetMs(400).build();
  }

  /**
   * DLRM-RMC3: 10 tables x 2M rows x 32, 20 lookups per table summed; 2560 dense through
   * 2560-1024-256-32; concat (10 x 32 + 32 = 352) into 512-256-1. MLP-bound (the 2560x1024 bottom
   * layer). p95 target 100 ms.
   */
  public static ModelSpec rmc3() {
    return ModelSpec.builder(ModelId.RMC3).tables(bags("t", 10, 2_000_000, 32, 20)).denseDim(2560)
        .bottomMlp(1024, 256, 32).topMlp(512, 256, 1).mediumTargetMs(100).build();
  }

  /**
   * Wide and Deep: 27 tables x 1M rows x 32, one lookup each; the 512 raw dense features and the
   * embeddings concatenated (512 + 27 x 32 = 1376) into the deep MLP 1024-512-256-1, as the
   * reference does (its "wide" part is the raw dense input fed to the same MLP). MLP-bound. p95
   * target 25 ms.
   */
  public static ModelSpec wnd() {
    return ModelSpec.builder(ModelId.WND).tables(bags("t", 27, 1_000_000, 32, 1)).denseDim(512)
        .topMlp(1024, 512, 256, 1).mediumTargetMs(25).build();
  }

  /**
   * Multi-task Wide and Deep: 41 tables x 500K plus 2 x 5M rows, dim 32, one lookup each; 512 raw
   * dense; concat 1888 through the shared 1024-512, then {@code heads} task heads of 512-256-128-1.
   * The score is the sigmoid of the mean of the heads' logits (one head by default, as in the
   * reference configuration). p95 target 25 ms.
   */
  public static ModelSpec mtwnd(int heads) {
    List<TableSpec> tables = new ArrayList<>(bags("t", 41, 500_000, 32, 1));
    tables.add(new TableSpec("big0", 5_000_000, 32, 1, Side.USER, Pooling.SUM));
    tables.add(new TableSpec("big1", 5_000_000, 32, 1, Side.ITEM, Pooling.SUM));
    return ModelSpec.builder(ModelId.MTWND).tables(tables).denseDim(512).topMlp(1024, 512)
        .taskHeads(heads).headMlp(256, 128, 1).mediumTargetMs(25).build();
  }

  /**
   * Neural collaborative filtering (NeuMF): user and item tables of 140K and 28K rows, dim 64, one
   * lookup each, in the order user MF, user MLP, item MF, item MLP. MF branch: user + item vectors
   * (the reference's sum; {@link ModelSpec.MfCombine#PRODUCT} is the paper's product). MLP tower on
   * [user, item] (128) through 256-256-128-64; [MF, MLP] (128) into 64-1. p95 target 5 ms.
   */
  public static ModelSpec ncf() {
    List<TableSpec> tables = List.of(
        new TableSpec("user_mf", 140_000, 64, 1, Side.USER, Pooling.SUM),
        new TableSpec("user_mlp", 140_000, 64, 1, Side.USER, Pooling.SUM),
        new TableSpec("item_mf", 28_000, 64, 1, Side.ITEM, Pooling.SUM),
        new TableSpec("item_mlp", 28_000, 64, 1, Side.ITEM, Pooling.SUM));
    return ModelSpec.builder(ModelId.NCF).tables(tables).denseDim(0).bottomMlp(256, 256, 128, 64)
        .topMlp(64, 1).mediumTargetMs(5).build();
  }

  /**
   * Deep interest network as the reference runs it: user profile (1M), {@code behaviourTables}
   * behaviour tables (100K), ad (10M) and context (1 table, 10M), dim 32, 3 lookups per table, each
   * table's lookups summed. Each behaviour table has its own attention unit: [behaviour, ad,
   * behaviour + ad] = 96 -> 1 -> 32, a ReLU after each layer; the units' outputs are summed into one
   * interest vector. [profile, interest, ad, context] (128) into 200-80-2; the score is the softmax
   * probability of class 1. p95 target 100 ms.
   */
  public static ModelSpec din(int behaviourTables) {
    if (behaviourTables < 1) {
      throw new IllegalArgumentException("DIN needs >= 1 behaviour tables: " + behaviourTables);
    }
    List<TableSpec> tables = new ArrayList<>();
    tables.add(new TableSpec("profile", 1_000_000, 32, 3, Side.USER, Pooling.SUM));
    for (int i = 0; i < behaviourTables; i++) {
      tables.add(new TableSpec(behaviourTables == 1 ? "behaviour" : "behaviour" + i, 100_000, 32, 3, Side.USER,
          Pooling.SEQUENCE));
    }
    tables.add(new TableSpec("ad", 10_000_000, 32, 3, Side.ITEM, Pooling.SUM));
    tables.add(new TableSpec("context", 10_000_000, 32, 3, Side.USER, Pooling.SUM));
    return ModelSpec.builder(ModelId.DIN).tables(tables).denseDim(0).attentionMlp(1, 32).topMlp(200, 80, 2)
        .mediumTargetMs(100).build();
  }

  /**
   * Deep interest evolution network: profile (500K), 40 behaviour tables of 500K (one per step of
   * the 40-step behaviour sequence, one lookup each, as in DESIGN.md's table), ad (5M), context
   * (5M), dim 32. A 64-unit RNN over the sequence; the reference's attention (a 64 -> 64 layer on
   * every state, softmax over the hidden axis, added to the state); a second 64-unit RNN over those
   * sums; [profile, ad, context, last state] (160) into 200-80-2, score = softmax probability of class 1. Plain RNN
   * as in the reference; {@link ModelSpec.RecurrentCell#GRU} is closer to the paper. p95 target 35
   * ms.
   */
  public static ModelSpec dien() {
    List<TableSpec> tables = new ArrayList<>();
    tables.add(new TableSpec("profile", 500_000, 32, 1, Side.USER, Pooling.SUM));
    for (int i = 0; i < 40; i++) {
      tables.add(new TableSpec(String.format("behaviour%02d", i), 500_000, 32, 1, Side.USER, Pooling.SEQUENCE));
    }
    tables.add(new TableSpec("ad", 5_000_000, 32, 1, Side.ITEM, Pooling.SUM));
    tables.add(new TableSpec("context", 5_000_000, 32, 1, Side.USER, Pooling.SUM));
    return ModelSpec.builder(ModelId.DIEN).tables(tables).denseDim(0).rnnHidden(64).topMlp(200, 80, 2)
        .mediumTargetMs(35).build();
  }

  /** {@code count} summed tables, the first half user-side and the rest item-side. */
  private static List<TableSpec> bags(String prefix, int count, int rows, int dim, int lookups) {
    List<TableSpec> tables = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Side side = i < count / 2 ? Side.USER : Side.ITEM;
      tables.add(new TableSpec(prefix + i, rows, dim, lookups, side, Pooling.SUM));
    }
    return tables;
  }
}
