package io.deeprec.model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The shapes and architecture of one recommendation model: embedding tables, dense input width and
 * MLP widths. Immutable; {@link ModelCatalog} holds the reference configurations and {@link
 * #toBuilder()} derives variants (paper-faithful interaction, more task heads, smaller tables).
 *
 * <p>MLP widths never include the input width: DESIGN.md's "bottom 128-64-32" for RMC1 is a
 * 128-wide dense input and {@code bottomMlp = [64, 32]}. Which fields a model reads:
 *
 * <ul>
 *   <li>DLRM (RMC1-3): {@link #bottomMlp()} on the dense features, {@link #interaction()}, then
 *       {@link #topMlp()} ending in one logit.
 *   <li>WnD: {@link #topMlp()} on [dense, embeddings]. MT-WnD: {@link #topMlp()} is the shared
 *       part, then {@link #taskHeads()} heads of {@link #headMlp()}.
 *   <li>NCF: {@link #bottomMlp()} is the MLP tower on [user, item] embeddings, {@link #ncfMf()}
 *       combines the MF embeddings, {@link #topMlp()} is the prediction layer.
 *   <li>DIN: {@link #attentionMlp()} per behaviour table, then {@link #topMlp()} ending in two
 *       logits. DIEN: {@link #recurrentCell()} layers of {@link #rnnHidden()} units, then {@link
 *       #topMlp()} ending in two logits.
 * </ul>
 */
public final class ModelSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  /** How DLRM combines the bottom-MLP output with the pooled embeddings. */
  public enum Interaction {
    /** Concatenation, what the DeepRecSys reference does (the default). */
    CONCAT,
    /** DLRM paper: pairwise dot products of all vectors (strict lower triangle) plus the dense vector. */
    DOT
  }

  /** How NCF's matrix-factorisation branch combines the user and item vectors. */
  public enum MfCombine {
    /** Element-wise sum, what the DeepRecSys reference does (the default). */
    SUM,
    /** Element-wise product, as in the NCF (NeuMF) paper. */
    PRODUCT
  }

  /** The recurrent cell of DIEN's two layers. */
  public enum RecurrentCell {
    /** Plain tanh RNN, what the DeepRecSys reference does (the default). */
    RNN,
    /** GRU, as in the DIEN paper (its second layer a plain GRU over the attention sums, not AUGRU). */
    GRU
  }

  private final ModelId id;
  private final String name;
  private final List<TableSpec> tables;
  private final int denseDim;
  private final List<Integer> bottomMlp;
  private final List<Integer> topMlp;
  private final Interaction interaction;
  private final int taskHeads;
  private final List<Integer> headMlp;
  private final MfCombine ncfMf;
  private final List<Integer> attentionMlp;
  private final RecurrentCell recurrentCell;
  private final int rnnHidden;
  private final double tableScale;
  private final double mediumTargetMs;
  private final EmbeddingLookup embeddingLookup;

  private ModelSpec(Builder b) {
    this.id = b.id;
    this.name = b.name;
    this.tables = List.copyOf(b.tables);
    this.denseDim = b.denseDim;
    this.bottomMlp = List.copyOf(b.bottomMlp);
    this.topMlp = List.copyOf(b.topMlp);
    this.interaction = b.interaction;
    this.taskHeads = b.taskHeads;
    this.headMlp = List.copyOf(b.headMlp);
    this.ncfMf = b.ncfMf;
    this.attentionMlp = List.copyOf(b.attentionMlp);
    this.recurrentCell = b.recurrentCell;
    this.rnnHidden = b.rnnHidden;
    this.tableScale = b.tableScale;
    this.mediumTargetMs = b.mediumTargetMs;
    this.embeddingLookup = b.embeddingLookup;
  }

  public static Builder builder(ModelId id) {
    return new Builder(id);
  }

  /**
   * A model whose network is not one of the eight (a TorchScript module): only its inputs, in the
   * same feature terms, and its latency target. Its tables' widths are the module's own business;
   * {@link TableSpec#dim()} is 1 for each.
   */
  public static Builder external(String name) {
    return new Builder(name);
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Which of the eight built-in architectures; null for an {@link #external} model. */
  public ModelId id() {
    return id;
  }

  /** The name a job serves the model under: the built-in's short id, or the external model's name. */
  public String name() {
    return name;
  }

  /** Whether the network is one of the eight built in here (false: an external module). */
  public boolean builtIn() {
    return id != null;
  }

  /** Embedding tables in input order (the order of ids in {@link FeatureBatch#sparse()}). */
  public List<TableSpec> tables() {
    return tables;
  }

  /** Dense (continuous) features per item; 0 for NCF, DIN, DIEN. */
  public int denseDim() {
    return denseDim;
  }

  /** Sparse ids per item: the sum of every table's lookups. */
  public int sparseIdsPerItem() {
    int sum = 0;
    for (TableSpec t : tables) {
      sum += t.lookups();
    }
    return sum;
  }

  /** Offset of table {@code index}'s first id within one item's sparse ids. */
  public int sparseOffset(int index) {
    int sum = 0;
    for (int i = 0; i < index; i++) {
      sum += tables.get(i).lookups();
    }
    return sum;
  }

  /** The common embedding width (every table of a model has the same width, checked at build). */
  public int embeddingDim() {
    return tables.get(0).dim();
  }

  /** Total embedding rows over all tables. */
  public long totalRows() {
    long sum = 0;
    for (TableSpec t : tables) {
      sum += t.rows();
    }
    return sum;
  }

  /** Float32 bytes of all embedding tables (the MLPs are comparatively tiny). */
  public long embeddingBytes() {
    long sum = 0;
    for (TableSpec t : tables) {
      sum += t.bytes();
    }
    return sum;
  }

  /** Bottom MLP widths after the input (DLRM: on dense features; NCF: the MLP tower). */
  public List<Integer> bottomMlp() {
    return bottomMlp;
  }

  /** Top MLP widths after the input, ending in the output width (MT-WnD: the shared layers). */
  public List<Integer> topMlp() {
    return topMlp;
  }

  public Interaction interaction() {
    return interaction;
  }

  /** MT-WnD task heads (default 1); the score is the sigmoid of the mean of the heads' logits. */
  public int taskHeads() {
    return taskHeads;
  }

  /** MT-WnD: widths of each task head after its input, ending in 1. */
  public List<Integer> headMlp() {
    return headMlp;
  }

  public MfCombine ncfMf() {
    return ncfMf;
  }

  /** DIN: widths of the attention unit after its 3 x dim input, ending in the embedding dimension. */
  public List<Integer> attentionMlp() {
    return attentionMlp;
  }

  public RecurrentCell recurrentCell() {
    return recurrentCell;
  }

  /** DIEN: hidden units of both recurrent layers. */
  public int rnnHidden() {
    return rnnHidden;
  }

  /** Product of the factors applied by {@link #withTableScale}; 1.0 for reference sizes. */
  public double tableScale() {
    return tableScale;
  }

  /**
   * This spec with every table's rows multiplied by {@code scale} (rounded, at least 1 row); all
   * other shapes are kept, so compute per item is unchanged while memory shrinks.
   */
  public ModelSpec withTableScale(double scale) {
    if (!(scale > 0 && scale <= 1.0)) {
      throw new IllegalArgumentException("table scale must be in (0, 1]: " + scale);
    }
    if (scale == 1.0) {
      return this;
    }
    Builder b = toBuilder();
    List<TableSpec> scaled = new ArrayList<>();
    for (TableSpec t : tables) {
      scaled.add(t.withRows((int) Math.max(1, Math.round(t.rows() * scale))));
    }
    b.tables = scaled;
    b.tableScale = tableScale * scale;
    return b.build();
  }

  /** How the blocks gather embedding rows: per table (the reference) or one fused gather. */
  public EmbeddingLookup embeddingLookup() {
    return embeddingLookup;
  }

  /** This spec with the embedding lookups done as {@code lookup} says; parameters are unchanged. */
  public ModelSpec withEmbeddingLookup(EmbeddingLookup lookup) {
    Builder b = toBuilder();
    b.embeddingLookup = Objects.requireNonNull(lookup, "embedding lookup");
    return b.build();
  }

  /**
   * The p95 latency target of a query for this model at a tier: {@link LatencyTier#MEDIUM} is the
   * paper's target as recalled in DESIGN.md (NCF 5 ms, WnD 25, MT-WnD 25, RMC1 100, RMC2 400, RMC3
   * 100, DIN 100, DIEN 35); LOW and HIGH are our 0.5x / 1.5x convention (see {@link LatencyTier}).
   */
  public double p95TargetMs(LatencyTier tier) {
    return mediumTargetMs * tier.factor();
  }

  /** A spec saved before {@link #embeddingLookup()} or {@link #name()} existed reads with their defaults. */
  private Object readResolve() {
    if (embeddingLookup != null && name != null) {
      return this;
    }
    Builder b = toBuilder();
    if (b.embeddingLookup == null) {
      b.embeddingLookup = EmbeddingLookup.PER_TABLE;
    }
    if (b.name == null) {
      b.name = id.cliName();
    }
    return b.build();
  }

  /** One line naming the variant and sizes, for logs and the saved-model metadata. */
  public String describe() {
    StringBuilder sb = new StringBuilder(name);
    if (id == null) {
      return sb.append(" external tables=").append(tables.size()).append(" rows=").append(totalRows())
          .append(" ids/item=").append(sparseIdsPerItem()).append(" dense=").append(denseDim).toString();
    }
    sb.append(" tables=").append(tables.size()).append(" rows=").append(totalRows());
    sb.append(" dim=").append(embeddingDim()).append(" ids/item=").append(sparseIdsPerItem());
    sb.append(" dense=").append(denseDim).append(" scale=").append(tableScale).append(" lookup=")
        .append(embeddingLookup);
    switch (id) {
      case RMC1, RMC2, RMC3 -> sb.append(" bottom=").append(bottomMlp).append(" interaction=").append(interaction)
          .append(" top=").append(topMlp);
      case WND -> sb.append(" mlp=").append(topMlp);
      case MTWND -> sb.append(" shared=").append(topMlp).append(" heads=").append(taskHeads).append('x')
          .append(headMlp);
      case NCF -> sb.append(" mf=").append(ncfMf).append(" tower=").append(bottomMlp).append(" top=").append(topMlp);
      case DIN -> sb.append(" attention=").append(attentionMlp).append(" top=").append(topMlp);
      case DIEN -> sb.append(" cell=").append(recurrentCell).append(" hidden=").append(rnnHidden).append(" top=")
          .append(topMlp);
      default -> throw new IllegalStateException("unknown model " + id);
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ModelSpec other)) {
      return false;
    }
    return id == other.id && name.equals(other.name) && denseDim == other.denseDim && taskHeads == other.taskHeads
        && rnnHidden == other.rnnHidden && Double.compare(tableScale, other.tableScale) == 0
        && Double.compare(mediumTargetMs, other.mediumTargetMs) == 0 && tables.equals(other.tables)
        && bottomMlp.equals(other.bottomMlp) && topMlp.equals(other.topMlp) && interaction == other.interaction
        && headMlp.equals(other.headMlp) && ncfMf == other.ncfMf && attentionMlp.equals(other.attentionMlp)
        && recurrentCell == other.recurrentCell && embeddingLookup == other.embeddingLookup;
  }

  /** True when both take the same inputs: dense width and tables (rows, ids per item, side, pooling), in order. */
  public boolean sameInputs(ModelSpec other) {
    return denseDim == other.denseDim && tables.equals(other.tables);
  }

  /** True when both specs build the same parameter shapes (ignores the latency target). */
  public boolean sameArchitecture(ModelSpec other) {
    return withEmbeddingLookup(EmbeddingLookup.FUSED).toBuilder().mediumTargetMs(1).build()
        .equals(other.withEmbeddingLookup(EmbeddingLookup.FUSED).toBuilder().mediumTargetMs(1).build());
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, name, tables, denseDim, bottomMlp, topMlp, interaction, taskHeads, headMlp, ncfMf,
        attentionMlp, recurrentCell, rnnHidden, tableScale, mediumTargetMs, embeddingLookup);
  }

  @Override
  public String toString() {
    return describe();
  }

  /** Builds a {@link ModelSpec}; {@link #build()} checks the shapes the model's block needs. */
  public static final class Builder {
    private final ModelId id;
    private String name;
    private List<TableSpec> tables = new ArrayList<>();
    private int denseDim;
    private List<Integer> bottomMlp = List.of();
    private List<Integer> topMlp = List.of();
    private Interaction interaction = Interaction.CONCAT;
    private int taskHeads = 1;
    private List<Integer> headMlp = List.of();
    private MfCombine ncfMf = MfCombine.SUM;
    private List<Integer> attentionMlp = List.of();
    private RecurrentCell recurrentCell = RecurrentCell.RNN;
    private int rnnHidden;
    private double tableScale = 1.0;
    private double mediumTargetMs = 100;
    private EmbeddingLookup embeddingLookup = EmbeddingLookup.PER_TABLE;

    private Builder(ModelId id) {
      this.id = Objects.requireNonNull(id, "model id");
      this.name = id.cliName();
    }

    private Builder(String name) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("model name is required");
      }
      this.id = null;
      this.name = name;
    }

    private Builder(ModelSpec s) {
      this.id = s.id;
      this.name = s.name;
      this.tables = new ArrayList<>(s.tables);
      this.denseDim = s.denseDim;
      this.bottomMlp = s.bottomMlp;
      this.topMlp = s.topMlp;
      this.interaction = s.interaction;
      this.taskHeads = s.taskHeads;
      this.headMlp = s.headMlp;
      this.ncfMf = s.ncfMf;
      this.attentionMlp = s.attentionMlp;
      this.recurrentCell = s.recurrentCell;
      this.rnnHidden = s.rnnHidden;
      this.tableScale = s.tableScale;
      this.mediumTargetMs = s.mediumTargetMs;
      this.embeddingLookup = s.embeddingLookup;
    }

    public Builder tables(List<TableSpec> value) {
      this.tables = new ArrayList<>(value);
      return this;
    }

    public Builder addTable(TableSpec table) {
      this.tables.add(table);
      return this;
    }

    public Builder denseDim(int value) {
      this.denseDim = value;
      return this;
    }

    public Builder bottomMlp(Integer... widths) {
      this.bottomMlp = List.of(widths);
      return this;
    }

    public Builder topMlp(Integer... widths) {
      this.topMlp = List.of(widths);
      return this;
    }

    public Builder interaction(Interaction value) {
      this.interaction = value;
      return this;
    }

    public Builder taskHeads(int value) {
      this.taskHeads = value;
      return this;
    }

    public Builder headMlp(Integer... widths) {
      this.headMlp = List.of(widths);
      return this;
    }

    public Builder ncfMf(MfCombine value) {
      this.ncfMf = value;
      return this;
    }

    public Builder attentionMlp(Integer... widths) {
      this.attentionMlp = List.of(widths);
      return this;
    }

    public Builder recurrentCell(RecurrentCell value) {
      this.recurrentCell = value;
      return this;
    }

    public Builder rnnHidden(int value) {
      this.rnnHidden = value;
      return this;
    }

    public Builder mediumTargetMs(double value) {
      this.mediumTargetMs = value;
      return this;
    }

    public ModelSpec build() {
      if (tables.isEmpty()) {
        throw new IllegalArgumentException(name + ": at least one table is required");
      }
      Set<String> names = new HashSet<>();
      int dim = tables.get(0).dim();
      for (TableSpec t : tables) {
        if (!names.add(t.name())) {
          throw new IllegalArgumentException(name + ": duplicate table name " + t.name());
        }
        if (t.dim() != dim) {
          // One fused parameter holds all tables (one gather per request), so widths must agree.
          throw new IllegalArgumentException(name + ": table " + t.name() + " has dim " + t.dim() + ", others " + dim);
        }
      }
      if (denseDim < 0) {
        throw new IllegalArgumentException(name + ": denseDim must be >= 0: " + denseDim);
      }
      if (!(mediumTargetMs > 0)) {
        throw new IllegalArgumentException(name + ": latency target must be > 0: " + mediumTargetMs);
      }
      if (id == null) {
        return new ModelSpec(this); // an external module: its layers are its own
      }
      checkWidths("bottomMlp", bottomMlp);
      checkWidths("topMlp", topMlp);
      checkWidths("headMlp", headMlp);
      checkWidths("attentionMlp", attentionMlp);
      if (topMlp.isEmpty()) {
        throw new IllegalArgumentException(name + ": topMlp is required");
      }
      long totalRows = 0;
      for (TableSpec t : tables) {
        totalRows += t.rows();
      }
      if (totalRows > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(name + ": " + totalRows + " embedding rows exceed one fused table");
      }
      switch (id) {
        case RMC1, RMC2, RMC3 -> {
          require(denseDim > 0 && !bottomMlp.isEmpty(), "DLRM needs dense features and a bottom MLP");
          require(last(topMlp) == 1, "DLRM top MLP must end in 1");
          require(interaction != Interaction.DOT || last(bottomMlp) == dim,
              "dot interaction needs the bottom MLP to end in the embedding dim " + dim);
        }
        case WND -> require(last(topMlp) == 1, "WnD MLP must end in 1");
        case MTWND -> require(taskHeads >= 1 && !headMlp.isEmpty() && last(headMlp) == 1,
            "MT-WnD needs >= 1 task heads whose MLP ends in 1");
        case NCF -> {
          require(tables.size() == 4, "NCF has four tables: user MF, user MLP, item MF, item MLP");
          require(!bottomMlp.isEmpty() && last(topMlp) == 1, "NCF needs an MLP tower and a top ending in 1");
        }
        case DIN -> {
          require(last(topMlp) == 2, "DIN top MLP must end in 2");
          require(!attentionMlp.isEmpty() && last(attentionMlp) == dim,
              "DIN attention MLP must end in the embedding dim " + dim + " (its outputs sum into the interest vector)");
          require(hasSequence() && hasItemSum(), "DIN needs a behaviour (SEQUENCE) table and an item-side SUM table");
        }
        case DIEN -> {
          require(last(topMlp) == 2, "DIEN top MLP must end in 2");
          require(rnnHidden > 0, "DIEN needs rnnHidden > 0");
          require(hasSequence() && hasItemSum(), "DIEN needs behaviour (SEQUENCE) tables and an item-side SUM table");
        }
        default -> throw new IllegalStateException("unknown model " + id);
      }
      return new ModelSpec(this);
    }

    private boolean hasSequence() {
      return tables.stream().anyMatch(t -> t.pooling() == TableSpec.Pooling.SEQUENCE);
    }

    private boolean hasItemSum() {
      return tables.stream()
          .anyMatch(t -> t.pooling() == TableSpec.Pooling.SUM && t.side() == TableSpec.Side.ITEM);
    }

    private void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(name + ": " + message);
      }
    }

    private void checkWidths(String name, List<Integer> widths) {
      for (int w : widths) {
        if (w < 1) {
          throw new IllegalArgumentException(ModelSpec.Builder.this.name + ": " + name + " widths must be >= 1: " + widths);
        }
      }
    }

    private static int last(List<Integer> widths) {
      return widths.isEmpty() ? -1 : widths.get(widths.size() - 1);
    }
  }
}
