// The load engine: closed and open models, HDR statistics, error kinds, progress and summary,
// resource monitoring, WebSocket load, capacity search and the HTML/SVG report.
export { LoadTestRunner, type LoadOperation, type RequestContext, type ClosedModelOptions, type OpenModelOptions, type ConcurrentRequestsOptions } from './runner';
export type { LoadResult, LoadModel, GroupResult } from './result';
export { ERROR_KINDS, LoadFailure, classifyError, classifyStatus, type ErrorKind, type ErrorCounts } from './errors';
export { LatencyHistogram, type LatencySummary } from './histogram';
export type { SeriesPoint } from './series';
export { LoadHttpClient, type LoadRequest, type LoadResponse, type LoadHttpClientOptions } from './http';
export { ResourceMonitor, ProcResourceSource, MetricsEndpointSource, UnavailableSource, parsePrometheusProcessMetrics, parseNovaCronSystemMetrics, type ResourceReport, type ResourceSource } from './resources';
export { resourceSourceFor, findListeningPid } from './local-target';
export { WebSocketLoad, type WebSocketLoadOptions, type WebSocketLoadResult, type WebSocketConnectResult, type WebSocketDeliveryResult } from './websocket';
export { OperationBreakdown, type OperationResult } from './breakdown';
export { findCapacity, breachOf, type CapacityLimits, type CapacityReport, type CapacityStep } from './capacity';
export { formatLoadSummary, formatResourceSummary } from './summary';
export { renderLoadCharts, renderLoadReportHtml, type LoadReportInput, type NamedChart } from './chart';
export { loadSettingsFromEnv, GUIDE_LOAD_SETTINGS, type LoadSettings } from './settings';
export type { ProgressOptions } from './progress';
