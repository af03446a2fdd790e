package io.deeprec.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.model.ModelKey;
import io.deeprec.model.ModelRegistry;
import io.deeprec.model.RecModel;
import io.deeprec.model.torchscript.TorchScriptFixtures;
import io.deeprec.schema.ModelRollout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelVersionsTest {
  /** Rollouts are remembered per JVM by their timestamp: each test's are its own. */
  private static final AtomicLong TIMESTAMPS = new AtomicLong(1_000);

  @TempDir
  Path tmp;

  private ModelRegistry.Lease started;
  private final List<RecModel> prepared = new ArrayList<>();

  @BeforeEach
  void startOnVersionOne() {
    started = ModelRegistry.acquire(ModelKey.external(TorchScriptFixtures.copy("tiny-dlrm", tmp).toString()));
  }

  @AfterEach
  void release() {
    started.close();
  }

  private ModelRollout rollout(Path dir, String version) {
    return ModelRollout.newBuilder().setModel("tiny-dlrm").setDir(dir.toString()).setVersion(version)
        .setActivateAtMs(0).setTimestampMs(TIMESTAMPS.incrementAndGet()).build();
  }

  private ModelVersions.Resolved resolve(ModelRollout rollout) throws Exception {
    return ModelVersions.resolve(rollout, started.model().spec(), prepared::add, started).get(60, TimeUnit.SECONDS);
  }

  @Test
  void loadsAndWarmsUpTheRolledOutVersionOnce() throws Exception {
    ModelRollout two = rollout(TorchScriptFixtures.copy("tiny-dlrm-v2", tmp), "2");
    ModelVersions.prefetch(two, started.model().spec(), prepared::add);

    ModelVersions.Resolved first = resolve(two);
    ModelVersions.Resolved second = resolve(two);

    assertThat(first.failure()).isNull();
    assertThat(first.model().version()).isEqualTo("2");
    assertThat(second.model()).isSameAs(first.model());
    assertThat(prepared).containsExactly(first.model());
    first.lease().close();
    second.lease().close();
  }

  @Test
  void aVersionThatFailsToLoadLeavesThePreviousOneServingAndSaysWhy() throws Exception {
    resolve(rollout(TorchScriptFixtures.copy("tiny-dlrm-v2", tmp), "2")).lease().close();
    Path corrupt = TorchScriptFixtures.copy("tiny-dlrm-v2", tmp.resolve("corrupt"));
    Files.write(corrupt.resolve("model.pt"), new byte[] {1, 2, 3});

    ModelVersions.Resolved resolved = resolve(rollout(corrupt, "2"));

    assertThat(resolved.model().version()).as("the version served before, not the started one").isEqualTo("2");
    assertThat(resolved.failure()).contains("version 2").contains("failed to load").contains("model.pt");
    resolved.lease().close();
  }

  @Test
  void refusesADirectoryThatHoldsAnotherVersionThanTheRolloutNames() throws Exception {
    Path one = Path.of(started.key().modelDir());
    resolve(rollout(one, "1")).lease().close(); // a rollback to the started version: this JVM serves 1
    ModelVersions.Resolved resolved = resolve(rollout(TorchScriptFixtures.copy("tiny-dlrm-v2", tmp), "3"));

    assertThat(resolved.model().version()).isEqualTo("1");
    assertThat(resolved.failure()).contains("holds version '2', the rollout names '3'");
    resolved.lease().close();
  }
}
