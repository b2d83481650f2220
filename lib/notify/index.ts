export {
  type BackupEventExtra,
  type BackupEventType,
  eventFromBackup,
  type ScheduleEventInput,
  scheduleEvent,
} from "./event-builders.ts";
export {
  AnyEventDetail,
  DETAIL_SCHEMAS,
  DomainEvent,
  EVENT_SOURCE,
  type EventOf,
  EventType,
  parseDomainEvent,
} from "./events.ts";
export {
  type EventSubscriber,
  InProcessEventBus,
  type InProcessEventBusOptions,
} from "./in-process-bus.ts";
export { CountingMetrics, MetricName, type Metrics, noMetrics } from "./metrics.ts";
export {
  EventBridgePublisher,
  type EventBridgePublisherOptions,
  EventPublishError,
  type EventPublisher,
  type PutEventsClient,
} from "./publisher.ts";
export * from "./slack/index.ts";
