package io.deeprec.model.nn;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import io.deeprec.model.ModelSpec;

/**
 * A model block with its parameters on one device. Scorers are created per thread; the parameters
 * are shared (read-only) by all of them, which is what lets one instance serve every slot.
 */
public final class DjlRecModel extends OwnedDjlModel<DjlScorer> {
  private final RecBlock block;
  private final FusedIds fusedIds;

  /** Takes ownership of {@code model}, whose block is {@code block}, initialised or loaded. */
  public DjlRecModel(ModelSpec spec, Model model, RecBlock block, String device) {
    super(spec, model, device);
    this.block = block;
    this.fusedIds = new FusedIds(spec);
  }

  public RecBlock block() {
    return block;
  }

  FusedIds fusedIds() {
    return fusedIds;
  }

  NDManager manager() {
    return djlModel().getNDManager();
  }

  @Override
  protected DjlScorer createScorer() {
    return new DjlScorer(this);
  }
}
