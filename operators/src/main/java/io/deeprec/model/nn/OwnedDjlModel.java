package io.deeprec.model.nn;

import ai.djl.Model;
import io.deeprec.model.ModelScorer;
import io.deeprec.model.ModelSpec;
import io.deeprec.model.RecModel;

/**
 * A model whose parameters one DJL {@link Model} owns on one device, built here or loaded from a
 * TorchScript file: scorers are created per thread until it is closed, and closing frees the
 * native memory once.
 *
 * @param <S> the scorer type
 */
public abstract class OwnedDjlModel<S extends ModelScorer> implements RecModel {
  private final ModelSpec spec;
  private final Model model;
  private final String device;
  private volatile boolean closed;

  /** Takes ownership of {@code model}. */
  protected OwnedDjlModel(ModelSpec spec, Model model, String device) {
    this.spec = spec;
    this.model = model;
    this.device = device;
  }

  @Override
  public ModelSpec spec() {
    return spec;
  }

  @Override
  public String device() {
    return device;
  }

  public Model djlModel() {
    return model;
  }

  /** A new scorer on this model; called only while it is open. */
  protected abstract S createScorer();

  @Override
  public S newScorer() {
    if (closed) {
      throw new IllegalStateException(spec.name() + " model is closed");
    }
    return createScorer();
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      model.close();
    }
  }
}
