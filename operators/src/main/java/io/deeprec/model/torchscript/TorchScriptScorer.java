package io.deeprec.model.torchscript;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import io.deeprec.model.FeatureBatch;
import io.deeprec.model.ModelScorer;
import io.deeprec.model.ModelSpec;
import io.deeprec.model.TableSpec;

/**
 * One thread's scorer of a {@link TorchScriptModel}: cuts a batch's ids into one int64 tensor per
 * table, passes the tensors in the order of the module's forward arguments, and reads one score
 * per item. A fresh sub-manager per call frees every native array of a request when it returns.
 */
public final class TorchScriptScorer implements ModelScorer {
  private final TorchScriptModel model;
  private final ModelSpec spec;
  private final Predictor<NDList, NDList> predictor;
  private final boolean logits;

  TorchScriptScorer(TorchScriptModel model) {
    this.model = model;
    this.spec = model.spec();
    this.predictor = model.djlModel().newPredictor(new NoopTranslator());
    this.logits = model.manifest().output() == ModelManifest.Output.LOGIT;
  }

  @Override
  public float[] score(FeatureBatch batch) {
    batch.checkShape(spec);
    int items = batch.items();
    if (items == 0) {
      return new float[0];
    }
    try (NDManager call = model.djlModel().getNDManager().newSubManager()) {
      NDList inputs = new NDList();
      for (int input : model.argumentInputs()) {
        if (input < 0) {
          inputs.add(call.create(batch.dense(), new Shape(items, spec.denseDim())));
        } else {
          inputs.add(call.create(tableIds(batch, input), new Shape(items, spec.tables().get(input).lookups())));
        }
      }
      NDList out = predictor.predict(inputs);
      out.attach(call);
      TorchScriptModel.checkOutput(spec.name(), out, items);
      float[] scores = out.get(0).toFloatArray();
      if (logits) {
        for (int i = 0; i < scores.length; i++) {
          scores[i] = (float) (1.0 / (1.0 + Math.exp(-scores[i])));
        }
      }
      return scores;
    } catch (TranslateException e) {
      throw new IllegalStateException(spec.name() + ": inference failed: " + e.getMessage(), e);
    }
  }

  /** Table {@code index}'s ids of every item, as the int64 [items, lookups] the module takes. */
  private long[] tableIds(FeatureBatch batch, int index) {
    TableSpec table = spec.tables().get(index);
    int perItem = spec.sparseIdsPerItem();
    int offset = spec.sparseOffset(index);
    int k = table.lookups();
    int[] sparse = batch.sparse();
    long[] ids = new long[batch.items() * k];
    for (int i = 0; i < batch.items(); i++) {
      for (int j = 0; j < k; j++) {
        ids[i * k + j] = sparse[i * perItem + offset + j];
      }
    }
    return ids;
  }

  @Override
  public void close() {
    predictor.close();
  }
}
