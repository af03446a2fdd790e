package io.deeprec.job.cli;

import io.deeprec.model.ModelCatalog;
import io.deeprec.model.ModelFactory;
import io.deeprec.model.ModelId;
import io.deeprec.model.ModelSpec;
import io.deeprec.model.RecModel;
import io.deeprec.model.train.SyntheticClickLog;
import io.deeprec.model.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code deeprec train}: trains a model on a seeded synthetic click log (a hidden teacher over the
 * model's own features), prints training and held-out AUC next to the random model's and the
 * teacher's, and saves it to a directory the job can serve ({@code --model-dir}).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a model on a synthetic click log and save it for serving.")
public final class TrainCommand implements Callable<Integer> {

  @Option(names = "--model", required = true, description = "rmc1 rmc2 rmc3 wnd mtwnd ncf din dien.")
  String model;

  @Option(names = "--output", required = true, description = "Directory to save the trained model in.")
  Path output;

  @Option(names = "--table-scale", defaultValue = "0.0001",
      description = "Factor on embedding rows; small, so every row is seen often enough to learn (default: ${DEFAULT-VALUE}).")
  double tableScale;

  @Option(names = "--epochs", defaultValue = "3", description = "Passes over the training log (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--samples", defaultValue = "20000", description = "Training impressions (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--held-out", defaultValue = "5000", description = "Held-out impressions (default: ${DEFAULT-VALUE}).")
  int heldOut;

  @Option(names = "--users", defaultValue = "1000", description = "Distinct users in the log (default: ${DEFAULT-VALUE}).")
  int users;

  @Option(names = "--items", defaultValue = "5000", description = "Distinct items in the log (default: ${DEFAULT-VALUE}).")
  int items;

  @Option(names = "--batch-size", defaultValue = "256", description = "Minibatch size (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--learning-rate", defaultValue = "0.003", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
  float learningRate;

  @Option(names = "--seed", defaultValue = "1",
      description = "Seeds the teacher, the log, the initial weights and the shuffling (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--threads", description = "PyTorch intra-op threads (default: 1).")
  Integer threads;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    ModelCommands.configureEngine(threads);
    PrintWriter out = spec.commandLine().getOut();
    ModelId id = ModelId.parse(model);
    ModelSpec modelSpec = ModelCatalog.spec(id).withTableScale(tableScale);
    out.printf("training %s%n", modelSpec.describe());
    SyntheticClickLog train = SyntheticClickLog.generate(modelSpec, samples, users, items, seed, seed + 1);
    SyntheticClickLog test = SyntheticClickLog.generate(modelSpec, heldOut, users, items, seed, seed + 2);
    out.printf(Locale.ROOT, "click log: %d train / %d held-out impressions, click rate %.3f, teacher AUC %.3f%n",
        train.size(), test.size(), train.clickRate(), test.teacherAuc());
    out.flush();
    Trainer trainer = Trainer.builder().epochs(epochs).batchSize(batchSize).learningRate(learningRate).seed(seed)
        .device(device).build();
    Trainer.Result result = trainer.train(modelSpec, train, test, epoch -> {
      out.printf(Locale.ROOT, "epoch %d: loss %.4f, held-out AUC %.3f%n", epoch.epoch(), epoch.meanLoss(),
          epoch.heldOutAuc());
      out.flush();
    });
    try (RecModel trained = result.model()) {
      ModelFactory.save(trained, output);
    }
    out.printf(Locale.ROOT, "AUC: random model %.3f, trained %.3f train / %.3f held-out, teacher %.3f (%d steps, %.1f s)%n",
        result.initialHeldOutAuc(), result.trainAuc(), result.heldOutAuc(), result.teacherHeldOutAuc(), result.steps(),
        result.seconds());
    out.printf(Locale.ROOT, "saved to %s (serve with: deeprec run --models %s --table-scale %s --model-dir %s=%s --user-side-ids shared)%n",
        output, id.cliName(), tableScale, id.cliName(), output);
    out.flush();
    return 0;
  }
}
