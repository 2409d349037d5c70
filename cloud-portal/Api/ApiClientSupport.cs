using System.Text.Json.Serialization;
using FogLens.CloudPortal.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace FogLens.CloudPortal.Api;

/// <summary>
/// What makes the REST API usable by clients other than the pages: read-only API tokens beside the sign-in
/// cookie, ProblemDetails for every error, enums as strings, and an OpenAPI document that names both security
/// schemes and says which operations need which role.
/// </summary>
public static class ApiClientSupport
{
    /// <summary>Default authentication scheme: the API token handler when the request carries one, else the cookie.</summary>
    public const string SelectorScheme = "CookieOrToken";

    public static IServiceCollection AddPortalApiClients(this IServiceCollection services)
    {
        services.AddSingleton<ApiTokens>();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            .AddPolicyScheme(SelectorScheme, "Sign-in cookie or API token", o => o.ForwardDefaultSelector = http =>
                ApiTokenAuthenticationHandler.HasToken(http.Request) ? ApiTokenAuthenticationHandler.SchemeName : CookieAuthenticationDefaults.AuthenticationScheme);
        services.Configure<AuthenticationOptions>(o => o.DefaultScheme = SelectorScheme);
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.Configure<OpenApiOptions>("v1", o =>
        {
            o.AddDocumentTransformer(DescribeDocument);
            o.AddOperationTransformer(DescribeSecurity);
        });
        return services;
    }

    /// <summary>ProblemDetails for unhandled exceptions and for empty error responses of <c>/api</c> (401, 404, bad JSON).</summary>
    public static WebApplication UsePortalApiErrors(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal), api => api.UseStatusCodePages());
        return app;
    }

    private static Task DescribeDocument(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "FogLens cloud portal API",
            Version = "v1",
            Description = "Demographics aggregated by the fogs, node status, federated rounds and model versions. "
                + "Sign in with POST /api/auth/login (a cookie, the pages' session) or send a read-only API token as "
                + "'Authorization: Bearer flt_...' (create one with './foglens token add NAME'). Errors are RFC 9457 "
                + "problem details; enums are strings.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["cookie"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Cookie,
            Name = "foglens.auth",
            Description = "Session cookie set by POST /api/auth/login (or the login page). Admin or Viewer.",
        };
        document.Components.SecuritySchemes["apiToken"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "Read-only API token ('./foglens token add NAME'): GET requests only, with a Viewer's rights.",
        };
        return Task.CompletedTask;
    }

    private static Task DescribeSecurity(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAllowAnonymous>().Any() || !metadata.OfType<IAuthorizeData>().Any())
        {
            return Task.CompletedTask;
        }

        var adminOnly = metadata.OfType<IAuthorizeData>().Any(a => a.Policy == PortalRoles.AdminPolicy);
        var document = context.Document;
        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("cookie", document)] = [] });
        if (!adminOnly && string.Equals(context.Description.HttpMethod, "GET", StringComparison.OrdinalIgnoreCase))
        {
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("apiToken", document)] = [] });
        }

        operation.Responses ??= new OpenApiResponses();
        operation.Responses.TryAdd("401", new OpenApiResponse { Description = "Not signed in, or an unknown API token (problem details)." });
        if (adminOnly)
        {
            operation.Description = (operation.Description is { Length: > 0 } d ? d + " " : string.Empty) + "Admin only.";
            operation.Responses.TryAdd("403", new OpenApiResponse { Description = "Signed in without the Admin role, or with a read-only API token (problem details)." });
        }

        return Task.CompletedTask;
    }
}
