package io.deeprec.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.recurrent.GRU;
import ai.djl.nn.recurrent.RNN;
import ai.djl.training.ParameterStore;
import io.deeprec.model.ModelSpec;
import io.deeprec.model.TableSpec;
import java.util.List;

/**
 * DIEN. The behaviour sequence is every SEQUENCE table's lookups in table order (DESIGN.md: 40
 * one-lookup tables, one per step). Interest extraction: a recurrent layer of {@link
 * ModelSpec#rnnHidden()} units over the sequence. Attention as the reference runs it: one fully
 * connected layer (hidden to hidden, with bias) applied to every state, a softmax over the hidden
 * axis, added to the state it came from. Interest evolution: a second recurrent layer over those
 * sums. The last state joins the SUM tables' vectors into {@link ModelSpec#topMlp()}, two logits.
 * Cells: tanh RNN as in the reference, or GRU ({@link ModelSpec.RecurrentCell#GRU}).
 *
 * <p>As in the reference, the ad does not steer the attention (it reaches only the top MLP); the
 * paper's AUGRU, which weights each step by its relevance to the ad, is not what was measured.
 */
final class DienBlock extends RecBlock {
  private final Block extraction;
  private final Block evolution;
  /** The per-step layer of the attention, shared by all steps. */
  private final Linear attention;
  private final SequentialBlock top;
  private final int steps;
  /** Column range of the sequence when the SEQUENCE tables are contiguous, else -1. */
  private final int seqStart;

  DienBlock(ModelSpec spec) {
    super(spec);
    this.extraction = addChildBlock("extraction", recurrent(spec));
    this.attention = addChildBlock("attention", Linear.builder().setUnits(spec.rnnHidden()).build());
    this.evolution = addChildBlock("evolution", recurrent(spec));
    this.top = addChildBlock("top", mlp(spec.topMlp(), false));
    List<TableSpec> tables = spec.tables();
    int count = 0;
    int first = -1;
    int last = -1;
    boolean contiguous = true;
    int col = 0;
    for (int i = 0; i < tables.size(); i++) {
      TableSpec t = tables.get(i);
      if (t.pooling() == TableSpec.Pooling.SEQUENCE) {
        if (first < 0) {
          first = col;
        } else if (last != col) {
          contiguous = false;
        }
        last = col + t.lookups();
        count += t.lookups();
      }
      col += t.lookups();
    }
    this.steps = count;
    this.seqStart = contiguous ? first : -1;
  }

  private static Block recurrent(ModelSpec spec) {
    if (spec.recurrentCell() == ModelSpec.RecurrentCell.GRU) {
      return GRU.builder().setStateSize(spec.rnnHidden()).setNumLayers(1).optBatchFirst(true)
          .optReturnState(false).build();
    }
    return RNN.builder().setStateSize(spec.rnnHidden()).setNumLayers(1).optBatchFirst(true)
        .optReturnState(false).setActivation(RNN.Activation.TANH).build();
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    int dim = spec.embeddingDim();
    int hidden = spec.rnnHidden();
    extraction.initialize(manager, dataType, new Shape(1, steps, dim));
    init(attention, manager, dataType, hidden);
    evolution.initialize(manager, dataType, new Shape(1, steps, hidden));
    long sumTables = spec.tables().stream().filter(t -> t.pooling() == TableSpec.Pooling.SUM).count();
    init(top, manager, dataType, sumTables * dim + hidden);
  }

  @Override
  protected NDArray logits(Embeddings embeddings, ParameterStore ps, NDArray dense, boolean training) {
    NDList others = new NDList();
    NDList parts = new NDList();
    // Fused and contiguous (the reference layout): the sequence is one slice of one gather.
    boolean oneSlice = embeddings.fused() && seqStart >= 0;
    for (int i = 0; i < spec.tables().size(); i++) {
      boolean sequence = spec.tables().get(i).pooling() == TableSpec.Pooling.SEQUENCE;
      if (!sequence) {
        others.add(embeddings.table(i));
      } else if (!oneSlice) {
        parts.add(embeddings.table(i));
      }
    }
    NDArray seq = oneSlice
        ? embeddings.rows().get(new NDIndex(":, {}:{}", seqStart, seqStart + steps))
        : concat(parts, 1);
    NDArray states = run(extraction, ps, seq, training);
    int hidden = spec.rnnHidden();
    NDArray perStep = run(attention, ps, states.reshape(-1, hidden), training).reshape(-1, steps, hidden);
    NDArray evolved = run(evolution, ps, states.add(perStep.softmax(2)), training);
    others.add(evolved.get(new NDIndex(":, -1, :")));
    return classOneLogit(run(top, ps, concat(others, 1), training));
  }
}
