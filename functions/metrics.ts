import { Metrics as PowertoolsMetrics } from "@aws-lambda-powertools/metrics";
import { METRICS_NAMESPACE, type Metrics, SERVICE_NAME } from "../lib/notify/metrics.ts";

/**
 * Our counters as CloudWatch Embedded Metric Format lines, written by Powertools Metrics.
 * Each count is published at once (a single-metric line), with two dimension sets: the
 * service alone (the total alarms watch) and the service with the count's own dimensions.
 */
export function powertoolsMetrics(namespace = METRICS_NAMESPACE): Metrics {
  const metrics = new PowertoolsMetrics({ namespace, serviceName: SERVICE_NAME });
  return {
    count(name, dimensions = {}, value = 1) {
      const single = metrics.singleMetric();
      if (Object.keys(dimensions).length > 0) {
        // An empty set is the service alone: the total, next to the split series.
        single.addDimensions({});
        single.addDimensions(dimensions);
      }
      single.addMetric(name, "Count", value);
    },
  };
}
