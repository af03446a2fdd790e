#!/usr/bin/env bash
# Submits the job jar to the standalone cluster of start-cluster.sh through Flink's CLI front end
# (org.apache.flink.client.cli.CliFrontend, detached), with DJL on the client classpath because
# the client runs the job's main(). Arguments are those of `deeprec job`, e.g.
#   deploy/standalone/submit-job.sh --bootstrap-servers localhost:9092 --models rmc1,wnd --policy deeprecsched
# Other CLI actions: FLINK_ACTION=list|cancel deploy/standalone/submit-job.sh [JOB_ID]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
build_if_missing
export FLINK_CONF_DIR="$conf"
cp="$(cluster_classpath)"
cli=(java "${java_opts[@]}" -Dlog.file="$work/client.log" -Dlog4j.configurationFile="file:$conf/log4j.properties"
  -cp "$cp" org.apache.flink.client.cli.CliFrontend)
case "${FLINK_ACTION:-run}" in
  run) exec "${cli[@]}" run --detached --parallelism "${PARALLELISM:-2}" \
      --class io.deeprec.job.DeepRecJob "$(job_jar)" "$@" ;;
  *) exec "${cli[@]}" "$FLINK_ACTION" "$@" ;;
esac
