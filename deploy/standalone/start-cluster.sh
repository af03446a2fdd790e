#!/usr/bin/env bash
# Starts a standalone Flink 2.2 session cluster from Maven jars (no Flink distribution needed):
# one JobManager (StandaloneSessionClusterEntrypoint) and N TaskManagers (TaskManagerRunner), each
# its own JVM, with memory flags from BashJavaUtils as Flink's own scripts compute them.
#   deploy/standalone/start-cluster.sh [TASKMANAGERS (default 2)]
# Settings: REST_PORT (8081), RPC_PORT (6123), SLOTS (2), TM_MEMORY (2048m), JM_MEMORY (1280m),
# DEEPREC_CLUSTER_DIR (target/standalone-cluster: config, logs, pids). Add Flink keys to
# $DEEPREC_CLUSTER_DIR/conf/config.yaml before the first start, or edit and restart.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
taskmanagers="${1:-2}"
build_if_missing
cp="$(cluster_classpath)"
mkdir -p "$conf" "$work/tmp" "$work/pids"
if [ ! -f "$conf/config.yaml" ]; then
  cat > "$conf/config.yaml" <<YAML
jobmanager.rpc.address: localhost
jobmanager.rpc.port: ${RPC_PORT:-6123}
jobmanager.bind-host: localhost
jobmanager.memory.process.size: ${JM_MEMORY:-1280m}
taskmanager.bind-host: localhost
taskmanager.host: localhost
taskmanager.numberOfTaskSlots: ${SLOTS:-2}
taskmanager.memory.process.size: ${TM_MEMORY:-2048m}
taskmanager.memory.managed.size: 64m
rest.address: localhost
rest.bind-address: localhost
rest.port: ${REST_PORT:-8081}
io.tmp.dirs: $work/tmp
restart-strategy.type: fixed-delay
restart-strategy.fixed-delay.attempts: 30
restart-strategy.fixed-delay.delay: 2 s
metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory
metrics.reporter.prom.port: ${PROM_PORTS:-9249-9259}
YAML
  cat > "$conf/log4j.properties" <<'LOG'
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FileAppender
appender.file.name = FileAppender
appender.file.type = File
appender.file.fileName = ${sys:log.file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{HH:mm:ss.SSS} %-5level %c{1} - %msg%n
LOG
fi

# BashJavaUtils prints two result lines: JVM memory flags, then -D settings.
resource_params() {
  java -cp "$cp" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$conf" \
    | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p'
}

launch() { # name main-class resource-command extra-args...
  local name="$1" main="$2" params jvm dynamic
  params="$(resource_params "$3")"
  jvm="$(echo "$params" | sed -n 1p)"
  dynamic="$(echo "$params" | sed -n 2p)"
  shift 3
  # shellcheck disable=SC2086 # the BashJavaUtils flags are meant to split on spaces
  nohup java $jvm "${java_opts[@]}" -Dlog.file="$work/$name.log" \
    -Dlog4j.configurationFile="file:$conf/log4j.properties" -cp "$cp" "$main" \
    --configDir "$conf" "$@" $dynamic > "$work/$name.out" 2>&1 &
  echo $! > "$work/pids/$name.pid"
  echo "started $name (pid $!), log $work/$name.log"
}

launch jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint GET_JM_RESOURCE_PARAMS \
  --executionMode cluster
for i in $(seq 1 "$taskmanagers"); do
  launch "tm-$i" org.apache.flink.runtime.taskexecutor.TaskManagerRunner GET_TM_RESOURCE_PARAMS \
    -D "taskmanager.resource-id=tm-$i"
done
rest="http://localhost:$(sed -n 's/^rest.port: //p' "$conf/config.yaml")"
for _ in $(seq 1 120); do
  registered="$(curl -sf "$rest/taskmanagers" 2>/dev/null | grep -o '"id":"[^"]*"' | wc -l || true)"
  if [ "${registered:-0}" -ge "$taskmanagers" ]; then
    echo "cluster up: $rest ($registered TaskManagers)"
    exit 0
  fi
  sleep 1
done
echo "TaskManagers did not register in 120 s; see $work/*.log" >&2
exit 1
