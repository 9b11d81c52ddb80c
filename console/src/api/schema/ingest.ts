// Generated from contracts/openapi/ingest.json by scripts/gen-api.mjs. Do not edit.
export interface paths {
    "/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Submit a batch of run, step, LLM-call and tool-call events */
        post: operations["submit_events_v1_events_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/policy-violations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List policy violations, newest first */
        get: operations["list_violations_v1_policy_violations_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List runs, newest first */
        get: operations["list_runs_v1_runs_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runs/{run_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One run with its steps, LLM calls and tool calls in order */
        get: operations["get_run_v1_runs__run_id__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * EventBatchAccepted
         * @description 202 answer of ``POST /v1/events``: everything acknowledged here is durably in the
         *     log. ``duplicates`` were stored by an earlier request (or earlier in this batch) and
         *     are acknowledged without being stored again.
         */
        EventBatchAccepted: {
            /** Accepted */
            accepted: number;
            /** Duplicates */
            duplicates: number;
            /**
             * Rejected
             * @default []
             */
            rejected: components["schemas"]["RejectedEvent"][];
        };
        /**
         * EventBatchIn
         * @description ``POST /v1/events``. The server validates each event on its own: the good ones are
         *     stored even when others are rejected (see ``EventBatchAccepted``).
         */
        EventBatchIn: {
            /** Events */
            events: (components["schemas"]["RunStartedIn"] | components["schemas"]["RunEndedIn"] | components["schemas"]["StepIn"] | components["schemas"]["LlmCallIn"] | components["schemas"]["ToolCallIn"])[];
        };
        /** HTTPValidationError */
        HTTPValidationError: {
            /** Detail */
            detail?: components["schemas"]["ValidationError"][];
        };
        /** LlmCallIn */
        LlmCallIn: {
            /** Agent Id */
            agent_id: string;
            /** Call Id */
            call_id: string;
            /**
             * Error
             * @default null
             */
            error: string | null;
            /**
             * Event Id
             * Format: uuid
             */
            event_id: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            kind: "llm_call";
            /** Latency Ms */
            latency_ms: number;
            /** Model */
            model: string;
            /**
             * Occurred At
             * Format: date-time
             */
            occurred_at: string;
            /** Provider */
            provider: string;
            /**
             * Provider Request Id
             * @default null
             */
            provider_request_id: string | null;
            /**
             * Reservation Id
             * @default null
             */
            reservation_id: string | null;
            /** Run Id */
            run_id: string;
            /**
             * Status
             * @enum {string}
             */
            status: "ok" | "error";
            /**
             * Traceparent
             * @default null
             */
            traceparent: string | null;
            usage: components["schemas"]["TokenUsage"];
        };
        /** LlmCallOut */
        LlmCallOut: {
            /** Call Id */
            call_id: string;
            /** Error */
            error?: string | null;
            /**
             * Event Id
             * Format: uuid
             */
            event_id: string;
            /** Latency Ms */
            latency_ms: number;
            /** Model */
            model: string;
            /**
             * Occurred At
             * Format: date-time
             */
            occurred_at: string;
            /** Provider */
            provider: string;
            /** Provider Request Id */
            provider_request_id?: string | null;
            /** Reservation Id */
            reservation_id?: string | null;
            /** Seq */
            seq: number;
            /**
             * Status
             * @enum {string}
             */
            status: "ok" | "error";
            usage: components["schemas"]["TokenUsage"];
        };
        /** Page[PolicyViolationOut] */
        Page_PolicyViolationOut_: {
            /** Items */
            items: components["schemas"]["PolicyViolationOut"][];
            /** Next Cursor */
            next_cursor?: string | null;
        };
        /** Page[RunSummary] */
        Page_RunSummary_: {
            /** Items */
            items: components["schemas"]["RunSummary"][];
            /** Next Cursor */
            next_cursor?: string | null;
        };
        /** PolicyViolationOut */
        PolicyViolationOut: {
            /** Agent Id */
            agent_id: string;
            /** Call Id */
            call_id?: string | null;
            /** Detail */
            detail: string;
            /**
             * Kind
             * @enum {string}
             */
            kind: "model_not_allowed" | "tool_not_approved";
            /** Model */
            model?: string | null;
            /**
             * Occurred At
             * Format: date-time
             */
            occurred_at: string;
            /**
             * Recorded At
             * Format: date-time
             */
            recorded_at: string;
            /** Run Id */
            run_id?: string | null;
            /** Team Id */
            team_id?: string | null;
            /** Tool */
            tool?: string | null;
            /** Violation Id */
            violation_id: string;
        };
        /**
         * RejectedEvent
         * @description One event of a batch that was not stored: its position in ``events``, the field at
         *     fault (dotted, e.g. ``events[3].usage.input_tokens``) and why.
         */
        RejectedEvent: {
            /** Event Id */
            event_id?: string | null;
            /** Field */
            field: string;
            /** Index */
            index: number;
            /** Reason */
            reason: string;
        };
        /** RunDetail */
        RunDetail: {
            /** Agent Id */
            agent_id: string;
            /** Api Key Id */
            api_key_id?: string | null;
            /** Duration Ms */
            duration_ms?: number | null;
            /** Ended At */
            ended_at?: string | null;
            /** Error */
            error?: string | null;
            /**
             * First Event At
             * Format: date-time
             */
            first_event_at: string;
            /**
             * Input Tokens
             * @default 0
             */
            input_tokens: number;
            /**
             * Last Event At
             * Format: date-time
             */
            last_event_at: string;
            /**
             * Llm Call Count
             * @default 0
             */
            llm_call_count: number;
            /**
             * Llm Calls
             * @default []
             */
            llm_calls: components["schemas"]["LlmCallOut"][];
            /**
             * Metadata
             * @default {}
             */
            metadata: {
                [key: string]: unknown;
            };
            /** Name */
            name?: string | null;
            /**
             * Output Tokens
             * @default 0
             */
            output_tokens: number;
            /** Parent Run Id */
            parent_run_id?: string | null;
            /** Run Id */
            run_id: string;
            /** Started At */
            started_at?: string | null;
            /**
             * Status
             * @enum {string}
             */
            status: "running" | "success" | "failure" | "cancelled";
            /**
             * Step Count
             * @default 0
             */
            step_count: number;
            /**
             * Steps
             * @default []
             */
            steps: components["schemas"]["StepOut"][];
            /**
             * Tags
             * @default []
             */
            tags: string[];
            /** Team Id */
            team_id?: string | null;
            /**
             * Tool Call Count
             * @default 0
             */
            tool_call_count: number;
            /**
             * Tool Calls
             * @default []
             */
            tool_calls: components["schemas"]["ToolCallOut"][];
        };
        /** RunEndedIn */
        RunEndedIn: {
            /** Agent Id */
            agent_id: string;
            /**
             * Duration Ms
             * @default null
             */
            duration_ms: number | null;
            /**
             * Error
             * @default null
             */
            error: string | null;
            /**
             * Event Id
             * Format: uuid
             */
            event_id: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            kind: "run_ended";
            /**
             * Occurred At
             * Format: date-time
             */
            occurred_at: string;
            /** Run Id */
            run_id: string;
            /**
             * Status
             * @enum {string}
             */
            status: "success" | "failure" | "cancelled";
            /**
             * Traceparent
             * @default null
             */
            traceparent: string | null;
        };
        /** RunStartedIn */
        RunStartedIn: {
            /** Agent Id */
            agent_id: string;
            /**
             * Event Id
             * Format: uuid
             */
            event_id: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            kind: "run_started";
            /**
             * Metadata
             * @default {}
             */
            metadata: {
                [key: string]: unknown;
            };
            /**
             * Name
             * @default null
             */
            name: string | null;
            /**
             * Occurred At
             * Format: date-time
             */
            occurred_at: string;
            /**
             * Parent Run Id
             * @default null
             */
            parent_run_id: string | null;
            /** Run Id */
            run_id: string;
            /**
             * Tags
             * @default []
             */
            tags: string[];
            /**
             * Traceparent
             * @default null
             */
            traceparent: string | null;
        };
        /** RunSummary */
        RunSummary: {
            /** Agent Id */
            agent_id: string;
            /** Api Key Id */
            api_key_id?: string | null;
            /** Duration Ms */
            duration_ms?: number | null;
            /** Ended At */
            ended_at?: string | null;
            /** Error */
            error?: string | null;
            /**
             * First Event At
             * Format: date-time
             */
            first_event_at: string;
            /**
             * Input Tokens
             * @default 0
             */
            input_tokens: number;
            /**
             * Last Event At
             * Format: date-time
             */
            last_event_at: string;
            /**
             * Llm Call Count
             * @default 0
             */
            llm_call_count: number;
            /**
             * Metadata
             * @default {}
             */
            metadata: {
                [key: string]: unknown;
            };
            /** Name */
            name?: string | null;
            /**
             * Output Tokens
             * @default 0
             */
            output_tokens: number;
            /** Parent Run Id */
            parent_run_id?: string | null;
            /** Run Id */
            run_id: string;
            /** Started At */
            started_at?: string | null;
            /**
             * Status
             * @enum {string}
             */
            status: "running" | "success" | "failure" | "cancelled";
            /**
             * Step Count
             * @default 0
             */
            step_count: number;
            /**
             * Tags
             * @default []
             */
            tags: string[];
            /** Team Id */
            team_id?: string | null;
            /**
             * Tool Call Count
             * @default 0
             */
            tool_call_count: number;
        };
        /** StepIn */
        StepIn: {
            /** Agent Id */
            agent_id: string;
            /**
             * Event Id
             * Format: uuid
             */
            event_id: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            kind: "step";
            /** Name */
            name: string;
            /**
             * Occurred At
             * Format: date-time
             */
            occurred_at: string;
            /**
             * Payload
             * @default {}
             */
            payload: {
                [key: string]: unknown;
            };
            /** Run Id */
            run_id: string;
            /** Step Id */
            step_id: string;
            /**
             * Traceparent
             * @default null
             */
            traceparent: string | null;
        };
        /** StepOut */
        StepOut: {
            /**
             * Event Id
             * Format: uuid
             */
            event_id: string;
            /** Name */
            name: string;
            /**
             * Occurred At
             * Format: date-time
             */
            occurred_at: string;
            /**
             * Payload
             * @default {}
             */
            payload: {
                [key: string]: unknown;
            };
            /** Seq */
            seq: number;
            /** Step Id */
            step_id: string;
        };
        /**
         * TokenUsage
         * @description Token counts of one LLM call, in the OpenTelemetry GenAI / genai-prices convention:
         *     ``input_tokens`` is the whole prompt *including* ``cached_input_tokens`` (cache read)
         *     and ``cache_write_tokens``; ``output_tokens`` *includes* ``reasoning_tokens``. One
         *     convention for every provider, so the SDK normalizes (e.g. Anthropic reports cache
         *     tokens apart) and cost never double-counts.
         */
        TokenUsage: {
            /**
             * Cache Write Tokens
             * @default 0
             */
            cache_write_tokens: number;
            /**
             * Cached Input Tokens
             * @default 0
             */
            cached_input_tokens: number;
            /**
             * Input Tokens
             * @default 0
             */
            input_tokens: number;
            /**
             * Output Tokens
             * @default 0
             */
            output_tokens: number;
            /**
             * Reasoning Tokens
             * @default 0
             */
            reasoning_tokens: number;
        };
        /** ToolCallIn */
        ToolCallIn: {
            /** Agent Id */
            agent_id: string;
            /** Call Id */
            call_id: string;
            /**
             * Error
             * @default null
             */
            error: string | null;
            /**
             * Event Id
             * Format: uuid
             */
            event_id: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            kind: "tool_call";
            /** Latency Ms */
            latency_ms: number;
            /** Name */
            name: string;
            /**
             * Occurred At
             * Format: date-time
             */
            occurred_at: string;
            /** Run Id */
            run_id: string;
            /**
             * Status
             * @enum {string}
             */
            status: "ok" | "error";
            /**
             * Traceparent
             * @default null
             */
            traceparent: string | null;
        };
        /** ToolCallOut */
        ToolCallOut: {
            /** Call Id */
            call_id: string;
            /** Error */
            error?: string | null;
            /**
             * Event Id
             * Format: uuid
             */
            event_id: string;
            /** Latency Ms */
            latency_ms: number;
            /** Name */
            name: string;
            /**
             * Occurred At
             * Format: date-time
             */
            occurred_at: string;
            /** Seq */
            seq: number;
            /**
             * Status
             * @enum {string}
             */
            status: "ok" | "error";
        };
        /** ValidationError */
        ValidationError: {
            /** Context */
            ctx?: Record<string, never>;
            /** Input */
            input?: unknown;
            /** Location */
            loc: (string | number)[];
            /** Message */
            msg: string;
            /** Error Type */
            type: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    submit_events_v1_events_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EventBatchIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventBatchAccepted"];
                };
            };
            /** @description Not JSON, or not valid gzip */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Over the batch's event or byte limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not a batch, or no event of it is valid */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    list_violations_v1_policy_violations_get: {
        parameters: {
            query?: {
                agent_id?: string | null;
                team_id?: string | null;
                kind?: ("model_not_allowed" | "tool_not_approved") | null;
                limit?: number | null;
                cursor?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_PolicyViolationOut_"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    list_runs_v1_runs_get: {
        parameters: {
            query?: {
                agent_id?: string | null;
                team_id?: string | null;
                status?: ("running" | "success" | "failure" | "cancelled") | null;
                /** @description first event at or after */
                started_after?: string | null;
                /** @description first event before */
                started_before?: string | null;
                limit?: number | null;
                cursor?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_RunSummary_"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    get_run_v1_runs__run_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                run_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunDetail"];
                };
            };
            /** @description No such run, or not one the caller may read */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
}
