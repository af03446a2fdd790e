package io.deeprec.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.deeprec.model.EmbeddingLookup;
import io.deeprec.model.ModelSpec;
import io.deeprec.model.TableSpec;
import java.util.List;

/**
 * Base of the eight model blocks. Input: {@code [ids (B, S) int32, dense (B, D) float32]} (dense
 * omitted when the model has none), where ids are already offset into one embedding parameter
 * holding every table (see {@link FusedIds}); {@link Embeddings} gathers from it per table or in
 * one fused call. Output: {@code (B, 1)} logits; serving applies the sigmoid, training uses a loss on
 * logits.
 */
public abstract class RecBlock extends AbstractBlock {
  private static final byte VERSION = 1;
  /** Target size of one chunk's gathered rows in {@link Embeddings#pooledFlat()}. */
  static final long BAG_CHUNK_BYTES = 4L << 20;

  protected final ModelSpec spec;
  private final Parameter embedding;

  protected RecBlock(ModelSpec spec) {
    super(VERSION);
    this.spec = spec;
    this.embedding = addParameter(Parameter.builder()
        .setName("embedding")
        .setType(Parameter.Type.WEIGHT)
        .optShape(new Shape(spec.totalRows(), spec.embeddingDim()))
        .build());
  }

  /** The block for {@code spec}'s model. */
  public static RecBlock forSpec(ModelSpec spec) {
    return switch (spec.id()) {
      case RMC1, RMC2, RMC3 -> new DlrmBlock(spec);
      case WND, MTWND -> new WideDeepBlock(spec);
      case NCF -> new NcfBlock(spec);
      case DIN -> new DinBlock(spec);
      case DIEN -> new DienBlock(spec);
    };
  }

  public ModelSpec spec() {
    return spec;
  }

  /** The fused embedding parameter, (total rows, dim). */
  public Parameter embeddingParameter() {
    return embedding;
  }

  /** Shapes of the inputs for a batch of {@code batch} items. */
  public Shape[] inputShapes(long batch) {
    Shape ids = new Shape(batch, spec.sparseIdsPerItem());
    return spec.denseDim() > 0 ? new Shape[] {ids, new Shape(batch, spec.denseDim())} : new Shape[] {ids};
  }

  /** Data types of the inputs, in {@link #inputShapes} order. */
  public DataType[] inputTypes() {
    return spec.denseDim() > 0 ? new DataType[] {DataType.INT32, DataType.FLOAT32} : new DataType[] {DataType.INT32};
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), 1)};
  }

  @Override
  protected final NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray ids = inputs.get(0);
    NDArray dense = inputs.size() > 1 ? inputs.get(1) : null;
    NDArray weight = ps.getValue(embedding, ids.getDevice(), training);
    return new NDList(logits(new Embeddings(ids, weight), ps, dense, training));
  }

  /**
   * The model proper.
   *
   * @param embeddings the request's sparse ids and the embedding parameter, gathered on demand
   * @param dense dense features (B, D), or null
   * @return logits, (B, 1)
   */
  protected abstract NDArray logits(Embeddings embeddings, ParameterStore ps, NDArray dense, boolean training);

  /** Rows gathered in one call, as (B, S, dim): one per sparse id in input order. */
  protected static NDArray gather(NDArray ids, NDArray weight) {
    return Embedding.embedding(ids, weight, SparseFormat.DENSE).singletonOrThrow();
  }

  /**
   * A request's ids with the weight they index, gathered the way the spec's
   * {@link ModelSpec#embeddingLookup()} says: one gather per table (the reference's pooled lookup
   * per table) or one fused gather for all of them. Both give the same values.
   */
  protected final class Embeddings {
    private final NDArray ids;
    private final NDArray weight;
    private final boolean fused;
    private NDArray rows;

    Embeddings(NDArray ids, NDArray weight) {
      this.ids = ids;
      this.weight = weight;
      this.fused = spec.embeddingLookup() == EmbeddingLookup.FUSED;
    }

    /** True when every table is gathered in one call. */
    public boolean fused() {
      return fused;
    }

    /** Every id's row, (B, S, dim), in one gather computed once (the fused lookup). */
    public NDArray rows() {
      if (rows == null) {
        rows = gather(ids, weight);
      }
      return rows;
    }

    /** Table {@code index} pooled: a SUM table as (B, dim), a SEQUENCE table as (B, lookups, dim). */
    public NDArray table(int index) {
      int col = spec.sparseOffset(index);
      NDIndex cols = new NDIndex(":, {}:{}", col, col + spec.tables().get(index).lookups());
      NDArray part = fused ? rows().get(cols) : gather(ids.get(cols), weight);
      return pool(spec.tables().get(index), part);
    }

    /** Every table pooled, in spec order (see {@link #table}). */
    public NDList tables() {
      NDList out = new NDList(spec.tables().size());
      for (int i = 0; i < spec.tables().size(); i++) {
        out.add(table(i));
      }
      return out;
    }

    private NDArray pool(TableSpec t, NDArray part) {
      if (t.pooling() == TableSpec.Pooling.SEQUENCE) {
        return part;
      }
      return t.lookups() == 1 ? part.reshape(-1, spec.embeddingDim()) : part.sum(new int[] {1});
    }

    /**
     * Every table summed and concatenated, (B, tables x dim). When all tables are bags of equal
     * size (DLRM, WnD) the lookups run in batch chunks: a chunk's gathered rows stay near
     * {@value #BAG_CHUNK_BYTES} bytes, in cache and below glibc's mmap threshold; one gather for a
     * whole RMC2 batch of 1024 would materialise 1 GB and page-fault on every call.
     */
    public NDArray pooledFlat() {
      List<TableSpec> tables = spec.tables();
      int lookups = tables.get(0).lookups();
      boolean uniform = tables.stream()
          .allMatch(t -> t.pooling() == TableSpec.Pooling.SUM && t.lookups() == lookups);
      if (!uniform) {
        NDList pooled = tables();
        for (int i = 0; i < pooled.size(); i++) {
          if (pooled.get(i).getShape().dimension() == 3) {
            pooled.set(i, pooled.get(i).sum(new int[] {1}));
          }
        }
        return concat(pooled, 1);
      }
      long batch = ids.getShape().get(0);
      long bytesPerItem = (long) spec.sparseIdsPerItem() * spec.embeddingDim() * Float.BYTES;
      long chunk = Math.max(1, BAG_CHUNK_BYTES / bytesPerItem);
      if (chunk >= batch) {
        return bags(ids);
      }
      NDList parts = new NDList((int) ((batch + chunk - 1) / chunk));
      for (long from = 0; from < batch; from += chunk) {
        parts.add(bags(ids.get(new NDIndex("{}:{}", from, Math.min(batch, from + chunk)))));
      }
      return concat(parts, 0);
    }

    /** Equal-size bags of some items' ids, pooled and flattened to (items, tables x dim). */
    private NDArray bags(NDArray someIds) {
      List<TableSpec> tables = spec.tables();
      int dim = spec.embeddingDim();
      long flat = (long) tables.size() * dim;
      if (fused) {
        NDArray all = gather(someIds, weight);
        int lookups = tables.get(0).lookups();
        return lookups == 1
            ? all.reshape(-1, flat)
            : all.reshape(-1, tables.size(), lookups, dim).sum(new int[] {2}).reshape(-1, flat);
      }
      NDList pooled = new NDList(tables.size());
      for (int i = 0; i < tables.size(); i++) {
        int col = spec.sparseOffset(i);
        NDArray part = gather(someIds.get(new NDIndex(":, {}:{}", col, col + tables.get(i).lookups())), weight);
        pooled.add(pool(tables.get(i), part));
      }
      return concat(pooled, 1);
    }
  }

  /** Runs a child block on one array. */
  protected static NDArray run(Block block, ParameterStore ps, NDArray x, boolean training) {
    return block.forward(ps, new NDList(x), training).singletonOrThrow();
  }

  /**
   * A stack of fully connected layers of {@code widths}, ReLU after each but the last (and after
   * the last too when {@code reluLast}: a layer that feeds another MLP).
   */
  protected static SequentialBlock mlp(List<Integer> widths, boolean reluLast) {
    SequentialBlock block = new SequentialBlock();
    for (int i = 0; i < widths.size(); i++) {
      block.add(Linear.builder().setUnits(widths.get(i)).build());
      if (reluLast || i < widths.size() - 1) {
        block.add(Activation::relu);
      }
    }
    return block;
  }

  /** Initialises a child whose input is (1, width). */
  protected static void init(Block child, NDManager manager, DataType type, long width) {
    child.initialize(manager, type, new Shape(1, width));
  }

  /** Two-class logits (B, 2) as the single logit of class 1 (B, 1): softmax p1 = sigmoid(l1 - l0). */
  protected static NDArray classOneLogit(NDArray twoLogits) {
    return twoLogits.get(new NDIndex(":, 1:2")).sub(twoLogits.get(new NDIndex(":, 0:1")));
  }

  /** Concatenates along {@code axis}; a single array is returned as is (one JNI call fewer). */
  protected static NDArray concat(NDList arrays, int axis) {
    return arrays.size() == 1 ? arrays.get(0) : NDArrays.concat(arrays, axis);
  }
}
