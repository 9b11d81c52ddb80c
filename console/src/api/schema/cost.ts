// Generated from contracts/openapi/cost.json by scripts/gen-api.mjs. Do not edit.
export interface paths {
    "/v1/costs/calls/{call_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Call Cost */
        get: operations["call_cost_v1_costs_calls__call_id__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/costs/summary": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Summary */
        get: operations["summary_v1_costs_summary_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/costs/trends": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Trends */
        get: operations["trends_v1_costs_trends_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/pricing": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Prices
         * @description `model` matches as the pricing does (genai-prices' model matching).
         */
        get: operations["list_prices_v1_pricing_get"];
        put?: never;
        /** Create */
        post: operations["create_v1_pricing_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/pricing/unpriced": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Unpriced
         * @description Models with calls waiting for a price: they are counted at $0 nowhere; they are
         *     priced when a price arrives (an override).
         */
        get: operations["unpriced_v1_pricing_unpriced_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/pricing/{price_id}/end": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End */
        post: operations["end_v1_pricing__price_id__end_post"];
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
        /** CallCostOut */
        CallCostOut: {
            /** Agent Id */
            agent_id: string;
            breakdown: components["schemas"]["CostBreakdown"] | null;
            /** Call Id */
            call_id: string;
            /** Model */
            model: string;
            /**
             * Occurred At
             * Format: date-time
             */
            occurred_at: string;
            /** Price Id */
            price_id: string | null;
            /** Provider */
            provider: string;
            /** Run Id */
            run_id: string;
            /**
             * Status
             * @enum {string}
             */
            status: "priced" | "unpriced";
            /** Team Id */
            team_id: string | null;
            /** Total Micros */
            total_micros: number | null;
            usage: components["schemas"]["TokenUsage"];
        };
        /**
         * CostBreakdown
         * @description The cost of one call per priced component; their sum is the call's total.
         */
        CostBreakdown: {
            /**
             * Cache Write Micros
             * @default 0
             */
            cache_write_micros: number;
            /**
             * Cached Input Micros
             * @default 0
             */
            cached_input_micros: number;
            /**
             * Input Micros
             * @default 0
             */
            input_micros: number;
            /**
             * Output Micros
             * @default 0
             */
            output_micros: number;
            /**
             * Reasoning Micros
             * @default 0
             */
            reasoning_micros: number;
            /**
             * Request Micros
             * @default 0
             */
            request_micros: number;
        };
        /** HTTPValidationError */
        HTTPValidationError: {
            /** Detail */
            detail?: components["schemas"]["ValidationError"][];
        };
        /** Page[PriceOut] */
        Page_PriceOut_: {
            /** Items */
            items: components["schemas"]["PriceOut"][];
            /** Next Cursor */
            next_cursor?: string | null;
        };
        /** PriceOut */
        PriceOut: {
            /** Catalog Version */
            catalog_version: string;
            /**
             * Effective From
             * Format: date-time
             */
            effective_from: string;
            /** Effective To */
            effective_to: string | null;
            /** Model */
            model: string;
            /** Price Id */
            price_id: string;
            prices: components["schemas"]["UnitPrices"];
            /** Provider */
            provider: string;
            /** Source */
            source: string;
            /** Team Id */
            team_id: string | null;
            /** Tiers */
            tiers: components["schemas"]["PriceTier"][];
        };
        /**
         * PriceOverrideCreate
         * @description A negotiated, self-hosted or fine-tuned model's price. It wins over genai-prices for
         *     the same provider and model; `team_id` limits it to one team's calls. An
         *     `effective_from` in the past reprices the calls it covers.
         */
        PriceOverrideCreate: {
            /**
             * Effective From
             * Format: date-time
             */
            effective_from: string;
            /** Effective To */
            effective_to?: string | null;
            /** Model */
            model: string;
            /** Price Id */
            price_id?: string | null;
            prices: components["schemas"]["UnitPrices"];
            /** Provider */
            provider: string;
            /** Team Id */
            team_id?: string | null;
            /** Tiers */
            tiers?: components["schemas"]["PriceTier"][];
        };
        /** PriceOverrideEnd */
        PriceOverrideEnd: {
            /**
             * Effective To
             * Format: date-time
             */
            effective_to: string;
        };
        /**
         * PriceTier
         * @description Prices that apply once the call's input tokens exceed ``above_input_tokens``.
         */
        PriceTier: {
            /** Above Input Tokens */
            above_input_tokens: number;
            prices: components["schemas"]["UnitPrices"];
        };
        /** SummaryGroup */
        SummaryGroup: {
            /** Calls */
            calls: number;
            /** Group */
            group: string;
            /** Input Tokens */
            input_tokens: number;
            /** Output Tokens */
            output_tokens: number;
            /** Total Micros */
            total_micros: number;
        };
        /** SummaryOut */
        SummaryOut: {
            /** Calls */
            calls: number;
            /**
             * From
             * Format: date-time
             */
            from: string;
            /**
             * Group By
             * @enum {string}
             */
            group_by: "agent" | "team" | "model" | "provider";
            /** Groups */
            groups: components["schemas"]["SummaryGroup"][];
            /**
             * To
             * Format: date-time
             */
            to: string;
            /** Total Micros */
            total_micros: number;
            /** Unpriced Calls */
            unpriced_calls: number;
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
        /** TrendPoint */
        TrendPoint: {
            /**
             * Bucket
             * Format: date-time
             */
            bucket: string;
            /** Calls */
            calls: number;
            /** Group */
            group: string;
            /** Total Micros */
            total_micros: number;
        };
        /** TrendsOut */
        TrendsOut: {
            /**
             * Bucket
             * @enum {string}
             */
            bucket: "hour" | "day";
            /**
             * From
             * Format: date-time
             */
            from: string;
            /**
             * Group By
             * @enum {string}
             */
            group_by: "agent" | "team" | "model" | "provider";
            /** Points */
            points: components["schemas"]["TrendPoint"][];
            /**
             * To
             * Format: date-time
             */
            to: string;
        };
        /**
         * UnitPrices
         * @description USD per million tokens per component, and per request. ``reasoning`` None means
         *     reasoning tokens are billed at the output price.
         */
        UnitPrices: {
            /** Cache Write Usd Per Mtok */
            cache_write_usd_per_mtok?: string | null;
            /** Cached Input Usd Per Mtok */
            cached_input_usd_per_mtok?: string | null;
            /**
             * Input Usd Per Mtok
             * @default 0
             */
            input_usd_per_mtok: string;
            /**
             * Output Usd Per Mtok
             * @default 0
             */
            output_usd_per_mtok: string;
            /** Reasoning Usd Per Mtok */
            reasoning_usd_per_mtok?: string | null;
            /**
             * Request Usd
             * @default 0
             */
            request_usd: string;
        };
        /** UnpricedModelOut */
        UnpricedModelOut: {
            /** Calls */
            calls: number;
            /**
             * First At
             * Format: date-time
             */
            first_at: string;
            /**
             * Last At
             * Format: date-time
             */
            last_at: string;
            /** Model */
            model: string;
            /** Provider */
            provider: string;
            /** Reason */
            reason: string;
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
    call_cost_v1_costs_calls__call_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                call_id: string;
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
                    "application/json": components["schemas"]["CallCostOut"];
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
    summary_v1_costs_summary_get: {
        parameters: {
            query?: {
                group_by?: "agent" | "team" | "model" | "provider";
                from?: string | null;
                to?: string | null;
                team_id?: string | null;
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
                    "application/json": components["schemas"]["SummaryOut"];
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
    trends_v1_costs_trends_get: {
        parameters: {
            query?: {
                group_by?: "agent" | "team" | "model" | "provider";
                bucket?: "hour" | "day";
                from?: string | null;
                to?: string | null;
                team_id?: string | null;
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
                    "application/json": components["schemas"]["TrendsOut"];
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
    list_prices_v1_pricing_get: {
        parameters: {
            query?: {
                provider?: string | null;
                model?: string | null;
                source?: string | null;
                at?: string | null;
                limit?: number;
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
                    "application/json": components["schemas"]["Page_PriceOut_"];
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
    create_v1_pricing_post: {
        parameters: {
            query?: never;
            header?: {
                "idempotency-key"?: string | null;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PriceOverrideCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PriceOut"];
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
    unpriced_v1_pricing_unpriced_get: {
        parameters: {
            query?: never;
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
                    "application/json": components["schemas"]["UnpricedModelOut"][];
                };
            };
        };
    };
    end_v1_pricing__price_id__end_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                price_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PriceOverrideEnd"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PriceOut"];
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
}
