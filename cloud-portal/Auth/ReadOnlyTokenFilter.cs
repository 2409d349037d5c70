namespace FogLens.CloudPortal.Auth;

/// <summary>Refuses anything but GET and HEAD to a caller signed in with a read-only API token (403, ProblemDetails).</summary>
public sealed class ReadOnlyTokenFilter : IEndpointFilter
{
    public const string Explanation = "API tokens are read-only: sign in as an Admin to change anything.";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        if (http.User.HasClaim(ApiTokenAuthenticationHandler.ScopeClaim, "read") && !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
        {
            return Results.Problem(Explanation, statusCode: StatusCodes.Status403Forbidden, title: "Read-only token");
        }

        return await next(context);
    }
}
