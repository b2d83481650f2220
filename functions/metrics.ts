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
              // The split series, and a total without dimensions for alarms to watch.
              Dimensions: Object.keys(dimensions).length > 0 ? [Object.keys(dimensions), []] : [[]],
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
