# Sourced by the scripts in this folder: paths and the cluster classpath, built with Maven.
# Flink runtime from Maven (integration-tests/target/flink-cluster-classpath.txt, what flink-dist's
# lib/ holds) + DJL (job/target/flink-lib), the same classpath StandaloneClusterITCase uses.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${DEEPREC_CLUSTER_DIR:-$root/target/standalone-cluster}"
conf="$work/conf"
cp_file="$root/integration-tests/target/flink-cluster-classpath.txt"

build_if_missing() {
  if [ ! -f "$cp_file" ] || ! ls "$root"/job/target/deeprec-job-*-cluster.jar > /dev/null 2>&1; then
    echo "building the job jar and the cluster classpath ..." >&2
    (cd "$root" && mvn -q -B -Dstyle.color=never install -DskipTests -pl job/tools -am >&2 \
      && mvn -q -B -Dstyle.color=never -pl integration-tests generate-test-resources >&2)
  fi
}

cluster_classpath() {
  local cp
  cp="$(cat "$cp_file")"
  for jar in "$root"/job/target/flink-lib/*.jar; do cp="$cp:$jar"; done
  echo "$cp"
}

job_jar() {
  ls "$root"/job/target/deeprec-job-*-cluster.jar | head -1
}

# What Flink's default config.yaml passes on Java 17, plus DJL offline and single-threaded.
java_opts=(
  --add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
  -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1
)
export DJL_CACHE_DIR="${DJL_CACHE_DIR:-$HOME/.djl.ai}"
