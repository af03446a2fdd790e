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
 * parameter holding every table (see {@link FusedIds}): one gather per request instead of one per
 * table keeps the per-call JNI overhead flat in the table count. Output: {@code (B, 1)} logits;
 * serving applies the sigmoid, training uses a loss on logits.
 */
public abstract class RecBlock extends AbstractBlock {
  private static final byte VERSION = 1;

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
    NDArray emb = Embedding.embedding(ids, weight, SparseFormat.DENSE).singletonOrThrow();
    return new NDList(logits(ps, emb, dense, training));
  }

  /**
   * The model proper.
   *
   * @param emb gathered rows, (B, S, dim), one per sparse id in input order
   * @param dense dense features (B, D), or null
   * @return logits, (B, 1)
   */
  protected abstract NDArray logits(ParameterStore ps, NDArray emb, NDArray dense, boolean training);

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

  /**
   * All tables summed per table and concatenated, (B, tables x dim). Fast path when every table is
   * a SUM bag of the same size: one reshape and one sum, whatever the table count.
   */
  protected NDArray pooledFlat(NDArray emb) {
    List<TableSpec> tables = spec.tables();
    int dim = spec.embeddingDim();
    int lookups = tables.get(0).lookups();
    boolean uniform = tables.stream()
        .allMatch(t -> t.pooling() == TableSpec.Pooling.SUM && t.lookups() == lookups);
    if (uniform) {
      NDArray bags = lookups == 1 ? emb : emb.reshape(-1, tables.size(), lookups, dim).sum(new int[] {2});
      return bags.reshape(-1, (long) tables.size() * dim);
    }
    NDList pooled = poolTables(emb);
    for (int i = 0; i < pooled.size(); i++) {
      if (pooled.get(i).getShape().dimension() == 3) {
        pooled.set(i, pooled.get(i).sum(new int[] {1}));
      }
    }
    return concat(pooled, 1);
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
