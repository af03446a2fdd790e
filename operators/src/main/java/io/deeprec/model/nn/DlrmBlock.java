package io.deeprec.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import io.deeprec.model.ModelSpec;

/**
 * DLRM (RMC1, RMC2, RMC3): bottom MLP on the dense features, a summed embedding bag per table,
 * an interaction, and a top MLP to one logit.
 *
 * <p>Interaction {@link ModelSpec.Interaction#CONCAT} (default) concatenates the bottom output
 * with the pooled tables, as the DeepRecSys reference does; {@link ModelSpec.Interaction#DOT} is
 * the DLRM paper's: the pairwise dot products of the T+1 vectors (strict lower triangle, a batched
 * matMul since PyTorch DJL has no batchDot) concatenated with the bottom output.
 */
final class DlrmBlock extends RecBlock {
  private final SequentialBlock bottom;
  private final SequentialBlock top;
  private final int vectors;
  private final long[] lowerTriangle;

  DlrmBlock(ModelSpec spec) {
    super(spec);
    this.bottom = addChildBlock("bottom", mlp(spec.bottomMlp(), true));
    this.top = addChildBlock("top", mlp(spec.topMlp(), false));
    this.vectors = spec.tables().size() + 1;
    this.lowerTriangle = new long[vectors * (vectors - 1) / 2];
    int k = 0;
    for (int i = 1; i < vectors; i++) {
      for (int j = 0; j < i; j++) {
        lowerTriangle[k++] = (long) i * vectors + j;
      }
    }
  }

  private long topInput() {
    int dim = spec.embeddingDim();
    int bottomOut = spec.bottomMlp().get(spec.bottomMlp().size() - 1);
    return spec.interaction() == ModelSpec.Interaction.DOT
        ? bottomOut + lowerTriangle.length
        : bottomOut + (long) spec.tables().size() * dim;
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    init(bottom, manager, dataType, spec.denseDim());
    init(top, manager, dataType, topInput());
  }

  @Override
  protected NDArray logits(Embeddings emb, ParameterStore ps, NDArray dense, boolean training) {
    NDArray x = run(bottom, ps, dense, training);
    NDArray pooled = emb.pooledFlat();
    NDArray z;
    if (spec.interaction() == ModelSpec.Interaction.DOT) {
      NDArray all = x.concat(pooled, 1).reshape(-1, vectors, spec.embeddingDim());
      NDArray dots = all.matMul(all.transpose(0, 2, 1)).reshape(-1, (long) vectors * vectors);
      NDArray index = x.getManager().create(lowerTriangle);
      z = x.concat(dots.get(new NDIndex(":, {}", index)), 1);
    } else {
      z = x.concat(pooled, 1);
    }
    return run(top, ps, z, training);
  }
}
