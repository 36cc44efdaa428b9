//! The problem responses every operation can give, declared once. Route annotations name only
//! their own statuses (a 404 for an id, a 409, a 412...); the statuses that come from the
//! layers every request passes through (site resolution, rate limits, the shared extractors,
//! the body limit, the request timeout) are added here, by the rules of [`RULES`], as
//! references to `#/components/responses/*`. A route that declares one of those statuses
//! itself keeps its own, more specific, answer.

use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};

/// What an operation has that decides which shared problems it can answer.
struct Traits {
    /// Behind site resolution and the rate limits: everything but the operational endpoints.
    site: bool,
    /// On tenant hosts, which answer 403 `tenant_suspended` while the tenant is suspended.
    tenant: bool,
    /// Reads a bearer token (required or optional): a bad one is a 401.
    token: bool,
    /// Has path or query parameters, read by the shared extractors.
    parameters: bool,
    /// Reads a request body (any media type): subject to the body limit.
    body: bool,
    /// Reads a JSON body through the shared extractor.
    json_body: bool,
}

struct Rule {
    status: &'static str,
    component: &'static str,
    description: &'static str,
    applies: fn(&Traits) -> bool,
}

const RULES: &[Rule] = &[
    Rule {
        status: "400",
        component: "BadRequest",
        description: "Malformed request: no Host, or one that is not a host name (`missing_host`, \
                      `invalid_host`); a path or query parameter of the wrong form (`invalid_path`, \
                      `invalid_query`); a body that is not JSON (`malformed_json`, `unreadable_body`); \
                      U+0000 in a parameter or string, which text fields cannot hold (`nul_character`)",
        applies: |t| t.site || t.parameters || t.body,
    },
    Rule {
        status: "401",
        component: "Unauthorized",
        description: "The bearer token is missing, malformed, expired, of another site or of an ended \
                      session (`missing_token`, `invalid_token`, `token_expired`, `session_ended`, \
                      `account_disabled`); carries `WWW-Authenticate: Bearer`",
        applies: |t| t.token,
    },
    Rule {
        status: "403",
        component: "Forbidden",
        description: "The tenant of this host is suspended (`tenant_suspended`)",
        applies: |t| t.tenant,
    },
    Rule {
        status: "404",
        component: "NotFound",
        description: "No active tenant at this host (`unknown_host`), or this path does not exist on \
                      this kind of host (`not_found`)",
        applies: |t| t.site,
    },
    Rule {
        status: "413",
        component: "PayloadTooLarge",
        description: "The body is over the limit (`body_too_large`)",
        applies: |t| t.body,
    },
    Rule {
        status: "415",
        component: "UnsupportedMediaType",
        description: "The body is not sent as `application/json` (`unsupported_media_type`)",
        applies: |t| t.json_body,
    },
    Rule {
        status: "422",
        component: "UnprocessableContent",
        description: "JSON of the wrong shape (`invalid_body`: a missing or unknown field, a wrong type), \
                      or values the operation does not accept (`validation_failed`, with one entry per \
                      field in `errors`)",
        applies: |t| t.json_body,
    },
    Rule {
        status: "429",
        component: "TooManyRequests",
        description: "Over a rate limit (per client address, tenant or user): `rate_limited`; \
                      `Retry-After` says when to come back",
        applies: |t| t.site,
    },
    Rule {
        status: "503",
        component: "ServiceUnavailable",
        description: "The request took over 30 s and was abandoned (`request_timeout`), or no database \
                      connection was free in time (`database_busy`); retry",
        applies: |_| true,
    },
];

fn problem(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

fn traits(path: &str, operation: &Operation) -> Traits {
    let site = path.starts_with("/api/") || path.starts_with("/.well-known/");
    let media_types = operation
        .request_body
        .as_ref()
        .map(|body| body.content.keys().map(String::as_str).collect::<Vec<_>>())
        .unwrap_or_default();
    Traits {
        site,
        tenant: site && !path.starts_with("/api/ops/"),
        token: operation
            .security
            .iter()
            .flatten()
            .any(|requirement| *requirement != SecurityRequirement::default()),
        parameters: operation
            .parameters
            .iter()
            .flatten()
            .any(|p| matches!(p.parameter_in, ParameterIn::Path | ParameterIn::Query)),
        body: !media_types.is_empty(),
        json_body: media_types.contains(&"application/json"),
    }
}

pub(super) fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
        &mut item.head,
        &mut item.options,
        &mut item.trace,
    ]
    .into_iter()
    .flatten()
}

/// Adds the shared problem responses to `doc`: the components once, and a reference from
/// every operation the rules apply to.
pub fn add(doc: &mut OpenApi) {
    problem_media_type(doc);
    let components = doc.components.get_or_insert_with(Default::default);
    for rule in RULES {
        components
            .responses
            .insert(rule.component.to_owned(), RefOr::T(problem(rule.description)));
    }
    for (path, item) in doc.paths.paths.iter_mut() {
        for operation in operations(item) {
            let traits = traits(path, operation);
            for rule in RULES.iter().filter(|rule| (rule.applies)(&traits)) {
                operation
                    .responses
                    .responses
                    .entry(rule.status.to_owned())
                    .or_insert_with(|| RefOr::Ref(Ref::new(format!("#/components/responses/{}", rule.component))));
            }
        }
    }
}

/// Every `Problem` body is `application/problem+json`. Route annotations say `body = Problem`
/// and nothing more; this one place gives those bodies their media type (utoipa would call
/// them `application/json`).
fn problem_media_type(doc: &mut OpenApi) {
    let is_problem = |content: &utoipa::openapi::Content| matches!(&content.schema, Some(RefOr::Ref(r)) if r.ref_location == "#/components/schemas/Problem");
    for item in doc.paths.paths.values_mut() {
        for operation in operations(item) {
            for response in operation.responses.responses.values_mut() {
                let RefOr::T(response) = response else { continue };
                if let Some(content) = response.content.get("application/json")
                    && is_problem(content)
                    && let Some(content) = response.content.shift_remove("application/json")
                {
                    response.content.insert("application/problem+json".to_owned(), content);
                }
            }
        }
    }
}
