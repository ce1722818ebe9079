export { createEventsApi, type EventsContext, type InvokeEventsApi } from './createEventsApi.js';
export { defaultSocketFactory } from './defaultSocketFactory.js';
