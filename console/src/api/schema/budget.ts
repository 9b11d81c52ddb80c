// Generated from contracts/openapi/budget.json by scripts/gen-api.mjs. Do not edit.
export interface paths {
    "/v1/blocked-calls": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Blocked */
        get: operations["list_blocked_v1_blocked_calls_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/budgets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Budgets */
        get: operations["list_budgets_v1_budgets_get"];
        put?: never;
        /** Create */
        post: operations["create_v1_budgets_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/budgets/{policy_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get */
        get: operations["get_v1_budgets__policy_id__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Update */
        patch: operations["update_v1_budgets__policy_id__patch"];
        trace?: never;
    };
    "/v1/budgets/{policy_id}/archive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Archive */
        post: operations["archive_v1_budgets__policy_id__archive_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/checks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Check */
        post: operations["check_v1_checks_post"];
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
        /** BlockedCallOut */
        BlockedCallOut: {
            /** Agent Id */
            agent_id: string;
            /** Block Id */
            block_id: string;
            /** Estimated Micros */
            estimated_micros: number;
            /** Limit Micros */
            limit_micros: number;
            /** Model */
            model: string;
            /**
             * Occurred At
             * Format: date-time
             */
            occurred_at: string;
            /** Policy Id */
            policy_id: string;
            /** Policy Name */
            policy_name: string;
            /** Reserved Micros */
            reserved_micros: number;
            /** Retry After S */
            retry_after_s: number;
            /** Run Id */
            run_id: string | null;
            /** Spent Micros */
            spent_micros: number;
            /** Team Id */
            team_id: string | null;
        };
        /** BudgetArchive */
        BudgetArchive: {
            /** Reason */
            reason?: string | null;
        };
        /**
         * BudgetCreate
         * @description A budget. `policy_id` may be chosen (stable names in configuration as code);
         *     otherwise one is generated. `team_id` owns the budget: required except for org scope,
         *     and for an agent scope it must be the agent's team.
         */
        BudgetCreate: {
            /** Limit Micros */
            limit_micros: number;
            /**
             * Mode
             * @default hard
             * @enum {string}
             */
            mode: "hard" | "soft";
            /** Name */
            name: string;
            /**
             * Period
             * @enum {string}
             */
            period: "run" | "day" | "week" | "month";
            /** Policy Id */
            policy_id?: string | null;
            /** Scope Id */
            scope_id: string;
            /**
             * Scope Kind
             * @enum {string}
             */
            scope_kind: "org" | "team" | "agent" | "run";
            /** Team Id */
            team_id?: string | null;
            /**
             * Thresholds
             * @default [
             *       80,
             *       90,
             *       100
             *     ]
             */
            thresholds: number[];
            /**
             * Timezone
             * @default UTC
             */
            timezone: string;
        };
        /** BudgetOut */
        BudgetOut: {
            /** Archived */
            archived: boolean;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Limit Micros */
            limit_micros: number;
            /**
             * Mode
             * @enum {string}
             */
            mode: "hard" | "soft";
            /** Name */
            name: string;
            /**
             * Period
             * @enum {string}
             */
            period: "run" | "day" | "week" | "month";
            /** Policy Id */
            policy_id: string;
            /** Scope Id */
            scope_id: string;
            /**
             * Scope Kind
             * @enum {string}
             */
            scope_kind: "org" | "team" | "agent" | "run";
            status?: components["schemas"]["BudgetStatus"] | null;
            /** Team Id */
            team_id: string | null;
            /** Thresholds */
            thresholds: number[];
            /** Timezone */
            timezone: string;
            /**
             * Updated At
             * Format: date-time
             */
            updated_at: string;
        };
        /**
         * BudgetStatus
         * @description The current period's spend. For a per-run budget, the run given as `run_id`.
         */
        BudgetStatus: {
            /** Exceeded */
            exceeded: boolean;
            /** Percent Used */
            percent_used: number;
            /** Period End */
            period_end: string | null;
            /** Period Start */
            period_start: string | null;
            /** Remaining Micros */
            remaining_micros: number;
            /** Reserved Micros */
            reserved_micros: number;
            /** Spent Micros */
            spent_micros: number;
            /** Thresholds Crossed */
            thresholds_crossed: number[];
        };
        /** BudgetUpdate */
        BudgetUpdate: {
            /** Limit Micros */
            limit_micros?: number | null;
            /** Mode */
            mode?: ("hard" | "soft") | null;
            /** Name */
            name?: string | null;
            /** Thresholds */
            thresholds?: number[] | null;
            /** Timezone */
            timezone?: string | null;
        };
        /** CheckAllowed */
        CheckAllowed: {
            /**
             * Allowed
             * @default true
             */
            allowed: boolean;
            /** Estimated Micros */
            estimated_micros: number;
            /**
             * Expires At
             * Format: date-time
             */
            expires_at: string;
            /** Policy Ids */
            policy_ids: string[];
            /** Reservation Id */
            reservation_id: string;
        };
        /**
         * CheckRequest
         * @description Give the estimate in money, or in tokens (priced at the highest rate budget has
         *     seen for the model, or a configured fallback).
         */
        CheckRequest: {
            /** Agent Id */
            agent_id: string;
            /** Estimated Cost Micros */
            estimated_cost_micros?: number | null;
            /** Estimated Tokens */
            estimated_tokens?: number | null;
            /** Model */
            model: string;
            /** Run Id */
            run_id?: string | null;
        };
        /** HTTPValidationError */
        HTTPValidationError: {
            /** Detail */
            detail?: components["schemas"]["ValidationError"][];
        };
        /** Page[BlockedCallOut] */
        Page_BlockedCallOut_: {
            /** Items */
            items: components["schemas"]["BlockedCallOut"][];
            /** Next Cursor */
            next_cursor?: string | null;
        };
        /** Page[BudgetOut] */
        Page_BudgetOut_: {
            /** Items */
            items: components["schemas"]["BudgetOut"][];
            /** Next Cursor */
            next_cursor?: string | null;
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
    list_blocked_v1_blocked_calls_get: {
        parameters: {
            query?: {
                team_id?: string | null;
                policy_id?: string | null;
                agent_id?: string | null;
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
                    "application/json": components["schemas"]["Page_BlockedCallOut_"];
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
    list_budgets_v1_budgets_get: {
        parameters: {
            query?: {
                team_id?: string | null;
                scope_kind?: string | null;
                scope_id?: string | null;
                include_archived?: boolean;
                with_status?: boolean;
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
                    "application/json": components["schemas"]["Page_BudgetOut_"];
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
    create_v1_budgets_post: {
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
                "application/json": components["schemas"]["BudgetCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BudgetOut"];
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
    get_v1_budgets__policy_id__get: {
        parameters: {
            query?: {
                run_id?: string | null;
            };
            header?: never;
            path: {
                policy_id: string;
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
                    "application/json": components["schemas"]["BudgetOut"];
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
    update_v1_budgets__policy_id__patch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                policy_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BudgetUpdate"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BudgetOut"];
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
    archive_v1_budgets__policy_id__archive_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                policy_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BudgetArchive"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BudgetOut"];
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
    check_v1_checks_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CheckRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CheckAllowed"];
                };
            };
            /** @description The model is not allowed for the agent (problem+json) */
            403: {
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
            /** @description A budget would be exceeded; `Retry-After` and the policy */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
}
