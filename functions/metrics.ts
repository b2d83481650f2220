import type { Metrics } from "../lib/notify/metrics.ts";

/** Counters as Embedded Metric Format log lines: CloudWatch turns them into metrics. */
export function emfMetrics(namespace: string): Metrics {
  return {
    count(name, dimensions = {}, value = 1) {
      const emf = {
        _aws: {
          Timestamp: Date.now(),
          CloudWatchMetrics: [
            {
              Namespace: namespace,
              Dimensions: [Object.keys(dimensions)],
              Metrics: [{ Name: name, Unit: "Count" }],
            },
          ],
        },
        ...dimensions,
        [name]: value,
      };
      console.log(JSON.stringify(emf));
    },
  };
}
