package io.deeprec.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The few calls of Flink's REST API that submitting, watching and cancelling a job need:
 * {@code /jars/upload}, {@code /jars/:id/run}, {@code /jobs/:id}, the job's exception history, the TaskManagers
 * running a job, {@code PATCH /jobs/:id?mode=cancel}. Shared by the standalone-cluster ITCase and
 * the Flink-container suite.
 */
final class FlinkRestClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  FlinkRestClient(URI base) {
    this.base = base;
  }

  /** Ids of the registered TaskManagers; empty while the REST endpoint is not up yet. */
  List<String> taskManagerIds() throws IOException, InterruptedException {
    JsonNode body;
    try {
      body = get("/taskmanagers");
    } catch (ConnectException e) {
      return List.of();
    }
    List<String> ids = new ArrayList<>();
    body.path("taskmanagers").forEach(taskManager -> ids.add(taskManager.get("id").asText()));
    return ids;
  }

  /** Uploads a job jar; returns its id for {@link #runJar}. */
  String uploadJar(Path jar) throws IOException, InterruptedException {
    String boundary = "----deeprec" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
        + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    body.write(Files.readAllBytes(jar));
    body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpRequest request = HttpRequest.newBuilder(base.resolve("/jars/upload"))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
        .build();
    String filename = send(request).get("filename").asText();
    return Path.of(filename).getFileName().toString();
  }

  /** Runs the uploaded jar's {@code entryClass} with {@code args}; returns the job id. */
  String runJar(String jarId, String entryClass, List<String> args, int parallelism)
      throws IOException, InterruptedException {
    ObjectNode body = JSON.createObjectNode();
    body.put("entryClass", entryClass);
    body.put("parallelism", parallelism);
    args.forEach(body.putArray("programArgsList")::add);
    HttpRequest request = HttpRequest.newBuilder(base.resolve("/jars/" + jarId + "/run"))
        .header("Content-Type", "application/json")
        .timeout(Duration.ofMinutes(3))
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
        .build();
    return send(request).get("jobid").asText();
  }

  /** The job's state: CREATED, RUNNING, RESTARTING, FAILED, CANCELED, ... */
  String jobState(String jobId) throws IOException, InterruptedException {
    return get("/jobs/" + jobId).get("state").asText();
  }

  /** Whether the job and every one of its tasks are RUNNING. */
  boolean fullyRunning(String jobId) throws IOException, InterruptedException {
    JsonNode job = get("/jobs/" + jobId);
    if (!"RUNNING".equals(job.get("state").asText())) {
      return false;
    }
    for (JsonNode vertex : job.get("vertices")) {
      if (!"RUNNING".equals(vertex.get("status").asText())) {
        return false;
      }
    }
    return true;
  }

  /**
   * How many failures the job's exception history holds. Read from the job itself rather than the
   * {@code numRestarts} metric, which the REST endpoint's metric fetcher serves from a cache that
   * may lag or be empty.
   */
  int failuresRecorded(String jobId) throws IOException, InterruptedException {
    return get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries").size();
  }

  /** Resource ids of the TaskManagers that run at least one of the job's tasks. */
  Set<String> taskManagersOf(String jobId) throws IOException, InterruptedException {
    Set<String> ids = new LinkedHashSet<>();
    for (JsonNode vertex : get("/jobs/" + jobId).get("vertices")) {
      JsonNode hosts = get("/jobs/" + jobId + "/vertices/" + vertex.get("id").asText() + "/taskmanagers");
      for (JsonNode host : hosts.get("taskmanagers")) {
        ids.add(host.get("taskmanager-id").asText());
      }
    }
    return ids;
  }

  /** The job's root exception and history, for failure messages. */
  String exceptions(String jobId) {
    try {
      return get("/jobs/" + jobId + "/exceptions").toPrettyString();
    } catch (IOException | InterruptedException e) {
      return "(exceptions unavailable: " + e + ")";
    }
  }

  void cancel(String jobId) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(base.resolve("/jobs/" + jobId + "?mode=cancel"))
        .method("PATCH", HttpRequest.BodyPublishers.noBody())
        .build();
    send(request);
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).GET().build());
  }

  private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IOException(request.method() + " " + request.uri() + " -> HTTP " + response.statusCode() + ": "
          + response.body());
    }
    String body = response.body();
    return body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
  }
}
