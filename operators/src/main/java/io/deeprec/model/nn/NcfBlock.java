package io.deeprec.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import io.deeprec.model.ModelSpec;

/**
 * NCF (NeuMF). Tables in order: user MF, user MLP, item MF, item MLP. The MF branch combines the
 * user and item MF vectors by sum (reference) or product (paper, {@link
 * ModelSpec.MfCombine#PRODUCT}); the MLP tower runs {@link ModelSpec#bottomMlp()} on [user MLP,
 * item MLP]; [MF, tower] goes through {@link ModelSpec#topMlp()} to the logit.
 */
final class NcfBlock extends RecBlock {
  private final SequentialBlock tower;
  private final SequentialBlock top;

  NcfBlock(ModelSpec spec) {
    super(spec);
    this.tower = addChildBlock("tower", mlp(spec.bottomMlp(), true));
    this.top = addChildBlock("top", mlp(spec.topMlp(), false));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    int dim = spec.embeddingDim();
    init(tower, manager, dataType, 2L * dim);
    init(top, manager, dataType, dim + (long) spec.bottomMlp().get(spec.bottomMlp().size() - 1));
  }

  @Override
  protected NDArray logits(Embeddings emb, ParameterStore ps, NDArray dense, boolean training) {
    NDList t = emb.tables();
    NDArray userMf = t.get(0);
    NDArray itemMf = t.get(2);
    NDArray mf = spec.ncfMf() == ModelSpec.MfCombine.PRODUCT ? userMf.mul(itemMf) : userMf.add(itemMf);
    NDArray mlp = run(tower, ps, t.get(1).concat(t.get(3), 1), training);
    return run(top, ps, mf.concat(mlp, 1), training);
  }
}
