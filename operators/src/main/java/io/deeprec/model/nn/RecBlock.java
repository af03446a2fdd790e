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
import io.deeprec.model.ModelSpec;
import io.deeprec.model.TableSpec;
import java.util.List;

/**
 * Base of the eight model blocks. Input: {@code [ids (B, S) int32, dense (B, D) float32]} (dense
 * omitted when the model has none), where ids are already offset into one fused embedding
 * parameter holding every table (see {@link FusedIds}): one gather per request (per batch chunk
 * for large bags) instead of one per table keeps the per-call JNI overhead flat in the table
 * count. Output: {@code (B, 1)} logits; serving applies the sigmoid, training uses a loss on
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

  /** A request's ids with the weight they index; models pick the gather that suits them. */
  protected final class Embeddings {
    private final NDArray ids;
    private final NDArray weight;
    private NDArray rows;

    Embeddings(NDArray ids, NDArray weight) {
      this.ids = ids;
      this.weight = weight;
    }

    /** All gathered rows, (B, S, dim), computed once. */
    public NDArray rows() {
      if (rows == null) {
        rows = gather(ids, weight);
      }
      return rows;
    }

    /**
     * Every table summed and concatenated, (B, tables x dim). When all tables are bags of equal
     * size (DLRM) this is an embedding bag done in batch chunks: the (chunk, S, dim) intermediate
     * stays near {@value #BAG_CHUNK_BYTES} bytes, in cache and below glibc's mmap threshold; one
     * gather for a whole RMC2 batch of 1024 would materialise 1 GB and page-fault on every call.
     */
    public NDArray pooledFlat() {
      List<TableSpec> tables = spec.tables();
      int dim = spec.embeddingDim();
      int lookups = tables.get(0).lookups();
      boolean uniform = tables.stream()
          .allMatch(t -> t.pooling() == TableSpec.Pooling.SUM && t.lookups() == lookups);
      if (!uniform) {
        NDList pooled = poolTables(rows());
        for (int i = 0; i < pooled.size(); i++) {
          if (pooled.get(i).getShape().dimension() == 3) {
            pooled.set(i, pooled.get(i).sum(new int[] {1}));
          }
        }
        return concat(pooled, 1);
      }
      long flat = (long) tables.size() * dim;
      if (lookups == 1) {
        return rows().reshape(-1, flat);
      }
      long batch = ids.getShape().get(0);
      long bytesPerItem = (long) spec.sparseIdsPerItem() * dim * Float.BYTES;
      long chunk = Math.max(1, BAG_CHUNK_BYTES / bytesPerItem);
      if (chunk >= batch) {
        return bag(ids, tables.size(), lookups, dim, flat);
      }
      NDList parts = new NDList((int) ((batch + chunk - 1) / chunk));
      for (long from = 0; from < batch; from += chunk) {
        NDArray slice = ids.get(new NDIndex("{}:{}", from, Math.min(batch, from + chunk)));
        parts.add(bag(slice, tables.size(), lookups, dim, flat));
      }
      return concat(parts, 0);
    }

    private NDArray bag(NDArray someIds, int tables, int lookups, int dim, long flat) {
      return gather(someIds, weight).reshape(-1, tables, lookups, dim).sum(new int[] {2}).reshape(-1, flat);
    }
  }

  /** Per table in spec order: SUM tables as (B, dim), SEQUENCE tables as (B, lookups, dim). */
  protected NDList poolTables(NDArray emb) {
    NDList out = new NDList(spec.tables().size());
    for (int i = 0; i < spec.tables().size(); i++) {
      out.add(poolTable(emb, i));
    }
    return out;
  }

  /** Table {@code index}: a SUM table as (B, dim), a SEQUENCE table as (B, lookups, dim). */
  protected NDArray poolTable(NDArray emb, int index) {
    TableSpec t = spec.tables().get(index);
    int col = spec.sparseOffset(index);
    NDArray part = emb.get(new NDIndex(":, {}:{}", col, col + t.lookups()));
    if (t.pooling() == TableSpec.Pooling.SEQUENCE) {
      return part;
    }
    return t.lookups() == 1 ? part.reshape(-1, spec.embeddingDim()) : part.sum(new int[] {1});
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
