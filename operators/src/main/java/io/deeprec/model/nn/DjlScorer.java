package io.deeprec.model.nn;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import io.deeprec.model.FeatureBatch;
import io.deeprec.model.ModelScorer;
import io.deeprec.model.ModelSpec;

/**
 * One thread's scorer: one DJL {@link Predictor} (not thread-safe), and a fresh sub-manager per
 * call so every native array of a request is freed when it returns.
 */
public final class DjlScorer implements ModelScorer {
  private final DjlRecModel model;
  private final ModelSpec spec;
  private final Predictor<NDList, NDList> predictor;

  DjlScorer(DjlRecModel model) {
    this.model = model;
    this.spec = model.spec();
    this.predictor = model.djlModel().newPredictor(new NoopTranslator());
  }

  @Override
  public float[] score(FeatureBatch batch) {
    float[] scores = logits(batch);
    for (int i = 0; i < scores.length; i++) {
      scores[i] = (float) (1.0 / (1.0 + Math.exp(-scores[i])));
    }
    return scores;
  }

  /** The model's logits, one per candidate (training evaluation and debugging). */
  public float[] logits(FeatureBatch batch) {
    int[] ids = model.fusedIds().fuse(batch);
    int items = batch.items();
    if (items == 0) {
      return new float[0];
    }
    try (NDManager call = model.manager().newSubManager()) {
      NDList inputs = new NDList(call.create(ids, new Shape(items, spec.sparseIdsPerItem())));
      if (spec.denseDim() > 0) {
        inputs.add(call.create(batch.dense(), new Shape(items, spec.denseDim())));
      }
      NDList out = predictor.predict(inputs);
      NDArray logits = out.singletonOrThrow();
      // Outputs of ops on the call's inputs live in the call's manager; attach in case the engine
      // put them elsewhere, so closing the manager frees them either way.
      logits.attach(call);
      return logits.toFloatArray();
    } catch (TranslateException e) {
      throw new IllegalStateException(spec.id() + ": inference failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    predictor.close();
  }
}
