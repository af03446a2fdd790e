package io.deeprec.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.deeprec.model.FeatureBatch;
import io.deeprec.model.ModelFactory;
import io.deeprec.model.ModelSpec;
import io.deeprec.model.RecModel;
import io.deeprec.model.nn.DjlRecModel;
import io.deeprec.model.nn.DjlScorer;
import io.deeprec.model.nn.FusedIds;
import io.deeprec.model.nn.RecBlock;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Trains a model on a {@link SyntheticClickLog} with DJL: Adam, binary cross-entropy on the
 * block's logits ({@code Loss.sigmoidBinaryCrossEntropyLoss()} with its default {@code
 * fromSigmoid=false}; DJL 0.36's {@code fromSigmoid=true} path has a sign error, see PLATFORM.md).
 * Minibatches are drawn in a seeded shuffled order, so a run is reproducible.
 */
public final class Trainer {
  private final int epochs;
  private final int batchSize;
  private final float learningRate;
  private final long seed;
  private final String device;

  /**
   * The trained model (the caller owns it: save it, close it) and its AUCs on the training and
   * held-out logs, before (random weights) and after training, next to the teacher's ceiling.
   */
  public record Result(RecModel model, double initialHeldOutAuc, double trainAuc, double heldOutAuc, double teacherHeldOutAuc,
      int epochs, int steps, double seconds) {}

  /** Progress after each epoch: epoch number (from 1), mean training loss, held-out AUC. */
  public record Epoch(int epoch, double meanLoss, double heldOutAuc) {}

  private Trainer(Builder b) {
    this.epochs = b.epochs;
    this.batchSize = b.batchSize;
    this.learningRate = b.learningRate;
    this.seed = b.seed;
    this.device = b.device;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Trains a freshly initialised model of {@code spec} (seeded random weights) on {@code train}
   * and evaluates on {@code heldOut}; {@code progress} hears about every epoch.
   */
  public Result train(ModelSpec spec, SyntheticClickLog train, SyntheticClickLog heldOut, Consumer<Epoch> progress) {
    long start = System.nanoTime();
    DjlRecModel model = (DjlRecModel) ModelFactory.create(spec, seed, device);
    try {
      double initialAuc = auc(model, heldOut);
      RecBlock block = model.block();
      FusedIds fused = new FusedIds(spec);
      block.freezeParameters(false);
      DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.sigmoidBinaryCrossEntropyLoss())
          .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(learningRate)).build())
          .optDevices(new ai.djl.Device[] {model.djlModel().getNDManager().getDevice()});
      SplittableRandom random = new SplittableRandom(seed ^ 0x7A1E5L);
      int steps = 0;
      try (ai.djl.training.Trainer trainer = model.djlModel().newTrainer(config)) {
        trainer.initialize(block.inputShapes(batchSize));
        int[] order = new int[train.size()];
        for (int i = 0; i < order.length; i++) {
          order[i] = i;
        }
        for (int epoch = 1; epoch <= epochs; epoch++) {
          shuffle(order, random);
          double lossSum = 0;
          int batches = 0;
          for (int from = 0; from < order.length; from += batchSize) {
            int to = Math.min(order.length, from + batchSize);
            int[] indices = java.util.Arrays.copyOfRange(order, from, to);
            FeatureBatch batch = train.features(indices);
            float[] labels = new float[indices.length];
            for (int i = 0; i < indices.length; i++) {
              labels[i] = train.click(indices[i]) ? 1f : 0f;
            }
            try (NDManager m = model.djlModel().getNDManager().newSubManager()) {
              NDList inputs = new NDList(m.create(fused.fuse(batch), new Shape(batch.items(), spec.sparseIdsPerItem())));
              if (spec.denseDim() > 0) {
                inputs.add(m.create(batch.dense(), new Shape(batch.items(), spec.denseDim())));
              }
              NDArray label = m.create(labels, new Shape(labels.length, 1));
              try (GradientCollector collector = trainer.newGradientCollector()) {
                NDList logits = trainer.forward(inputs);
                NDArray loss = trainer.getLoss().evaluate(new NDList(label), logits);
                collector.backward(loss);
                lossSum += loss.getFloat();
              }
              trainer.step();
            }
            batches++;
            steps++;
          }
          block.freezeParameters(true);
          double epochAuc = auc(model, heldOut);
          block.freezeParameters(false);
          progress.accept(new Epoch(epoch, lossSum / batches, epochAuc));
        }
      }
      block.freezeParameters(true);
      return new Result(model, initialAuc, auc(model, train), auc(model, heldOut), heldOut.teacherAuc(), epochs, steps,
          (System.nanoTime() - start) / 1e9);
    } catch (RuntimeException | Error e) {
      model.close();
      throw e;
    }
  }

  /** AUC of {@code model}'s scores on {@code log}. */
  public static double auc(RecModel model, SyntheticClickLog log) {
    float[] scores = new float[log.size()];
    try (var scorer = model.newScorer()) {
      for (int from = 0; from < log.size(); from += 1024) {
        int to = Math.min(log.size(), from + 1024);
        float[] part = scorer instanceof DjlScorer djl ? djl.logits(log.features(from, to))
            : scorer.score(log.features(from, to));
        System.arraycopy(part, 0, scores, from, part.length);
      }
    }
    return Auc.of(scores, log.clicks());
  }

  private static void shuffle(int[] a, SplittableRandom random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** Defaults: 3 epochs, batches of 256, Adam learning rate 0.003, seed 1, CPU. */
  public static final class Builder {
    private int epochs = 3;
    private int batchSize = 256;
    private float learningRate = 0.003f;
    private long seed = 1;
    private String device = "cpu";

    private Builder() {}

    public Builder epochs(int value) {
      this.epochs = value;
      return this;
    }

    public Builder batchSize(int value) {
      this.batchSize = value;
      return this;
    }

    public Builder learningRate(float value) {
      this.learningRate = value;
      return this;
    }

    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    public Builder device(String value) {
      this.device = value;
      return this;
    }

    public Trainer build() {
      if (epochs < 1 || batchSize < 1 || !(learningRate > 0)) {
        throw new IllegalArgumentException("training settings out of range: epochs=" + epochs + " batchSize="
            + batchSize + " learningRate=" + learningRate);
      }
      return new Trainer(this);
    }
  }
}
