/** Domain events (`backup.*`, `schedule.*`, lib/notify/events.ts). */
export const bus = new sst.aws.Bus("Events");
