using System.Globalization;
using System.Security.Claims;
using FogLens.CloudPortal.Auth;
using FogLens.CloudPortal.Data;
using FogLens.CloudPortal.Rounds;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal.Api;

/// <summary>Login request of the JSON API: <c>{"name": "...", "password": "..."}</c>.</summary>
public sealed record LoginRequest(string? Name, string? Password);

/// <summary>Body of an experiment import: the texts of run.json and rounds.jsonl.</summary>
public sealed record ExperimentImport(string Run, string Rounds);

/// <summary>The REST API (JSON; CSV for demographics), described at /openapi/v1.json. Same roles as the pages.</summary>
public static class PortalApi
{
    public static void MapPortalApi(this WebApplication app)
    {
        var account = app.MapGroup("/account").WithTags("Account");
        account.MapPost("/login", LoginFormAsync).AllowAnonymous().ExcludeFromDescription();
        account.MapPost("/logout", async (HttpContext http, PortalUsers users) =>
        {
            await users.RevokeAsync(http.User.Identity?.Name, http.RequestAborted); // a copy of the cookie stops working too
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/login");
        }).ExcludeFromDescription();

        app.MapPost("/api/auth/login", LoginJsonAsync).AllowAnonymous().DisableAntiforgery().WithTags("Account")
            .WithSummary("Sign in (sets the session cookie)")
            .WithDescription("Body {\"name\", \"password\"}. 200 with the user's name and role; 400 when a field is missing (e.g. 'username' instead of 'name'); 401 for a wrong name or password; 429 after repeated failures (Retry-After).")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status429TooManyRequests);

        // Model files are served to fogs without a login: fogs verify them against the SHA-256 in the signed-in
        // portal's round task or announcement (see docs/security.md).
        app.MapGet("/api/models/{version}/{kind}", async (string version, string kind, HttpContext http, NodeAccess access, ModelRegistry registry, CancellationToken ct) =>
        {
            if (!await access.MayDownloadModelAsync(http, version, ct))
            {
                http.Response.Headers.WWWAuthenticate = "Basic realm=\"foglens-models\"";
                return Results.Unauthorized();
            }

            return registry.FilePath(version, kind) is { } path && File.Exists(path)
                ? Results.File(path, "application/octet-stream", $"{version}-{Path.GetFileName(path)}")
                : Results.NotFound();
        }).AllowAnonymous().WithTags("Models")
            .WithSummary("Download a model file (weights, onnx, broadcast: the model fogs hold, delta: from its parent's)")
            .WithDescription("For signed-in users, API tokens, and fogs with HTTP Basic and their broker account (promoted and base versions only).");

        var api = app.MapGroup("/api").RequireAuthorization().DisableAntiforgery().AddEndpointFilter<ReadOnlyTokenFilter>();
        api.MapGet("/status", (PortalCounters counters, PortalDb db) => Results.Ok(new { database = db.Provider, counters = counters.Snapshot() })).WithTags("Status")
            .WithSummary("Database provider and the portal's counters");
        api.MapGet("/summary", (PortalQueries q, CancellationToken ct) => q.SummaryAsync(ct)).WithTags("Status")
            .WithSummary("Totals shown on the Overview page");
        api.MapGet("/demographics", async (string? site, string? fog, string? camera, DateTimeOffset? from, DateTimeOffset? to, int? limit, PortalQueries q, CancellationToken ct) =>
            (await q.WindowsAsync(new DemographicsFilter(fog, camera, from, to) { Site = site }, Math.Clamp(limit ?? 1000, 1, 100_000), ct)).Select(WindowDto.From)).WithTags("Demographics")
            .WithSummary("Demographics windows, newest first")
            .WithDescription("Optional filters: site, fog, camera, from/to (ISO 8601 with offset), limit (1-100000, default 1000). Windows under Portal:MinFacesShown faces are not returned.");
        api.MapGet("/demographics/groups", (string? site, string? fog, string? camera, DateTimeOffset? from, DateTimeOffset? to, PortalQueries q, CancellationToken ct) =>
            q.GroupTotalsAsync(new DemographicsFilter(fog, camera, from, to) { Site = site }, ct)).WithTags("Demographics")
            .WithSummary("Faces per age group over the filtered windows");
        api.MapGet("/demographics.csv", async (string? site, string? fog, string? camera, DateTimeOffset? from, DateTimeOffset? to, PortalQueries q, HttpContext http, CancellationToken ct) =>
        {
            var filter = new DemographicsFilter(fog, camera, from, to) { Site = site };
            var labels = await q.GroupLabelsAsync(filter, ct);
            return Results.Stream(body => DemographicsCsv.WriteAsync(body, labels, q.StreamWindowsAsync(filter, ct), ct), "text/csv; charset=utf-8", "demographics.csv");
        }).WithTags("Demographics").WithSummary("The filtered windows as CSV, one column per age group");
        api.MapGet("/nodes", (PortalQueries q, CancellationToken ct) => q.NodesAsync(ct)).WithTags("Nodes")
            .WithSummary("Fogs and edges with their last status")
            .WithDescription("An edge's sourceState says what its camera source is doing: Ok, Missing, Unreadable, Ended or Reconnecting (null from older edges), with sourceProblem as one line of explanation.");
        api.MapGet("/rounds", (PortalQueries q, CancellationToken ct) => q.RoundsAsync(ct)).WithTags("Rounds")
            .WithSummary("Federated rounds, newest first (state as a string: Open, Completed or Failed)");
        api.MapGet("/contributions", async (PortalDb db, CancellationToken ct) =>
        {
            await using var context = db.Create();
            var verification = await ContributionLedger.VerifyAsync(context, ct);
            return Results.Ok(new { ledger = verification, fogs = await ContributionLedger.CreditByFogAsync(context, ct) });
        }).WithTags("Rounds")
            .WithSummary("Contribution credit per fog (cumulative) and the ledger's chain check")
            .WithDescription("credit = accepted samples × max(0, alignment with the other fogs' updates) × norm factor, per round; ledger.isIntact is false and ledger.brokenAt names the first entry when a stored entry was edited, inserted or removed.");
        api.MapGet("/rounds/{id:long}", async (long id, PortalQueries q, CancellationToken ct) =>
            await q.RoundAsync(id, ct) is { } r ? Results.Ok(new { round = r.Round, updates = r.Updates }) : Results.Problem($"There is no round {id}.", statusCode: StatusCodes.Status404NotFound)).WithTags("Rounds")
            .WithSummary("One round with the updates the fogs sent").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/rounds", async (ClaimsPrincipal user, FederatedCoordinator coordinator, CancellationToken ct) =>
        {
            try
            {
                var round = await coordinator.StartRoundAsync(user.Identity?.Name ?? "api", ct);
                return Results.Created($"/api/rounds/{round.Id}", round);
            }
            catch (CoordinatorException ex)
            {
                return Results.Problem(ex.Message, statusCode: StatusCodes.Status409Conflict);
            }
        }).RequireAuthorization(PortalRoles.AdminPolicy).WithTags("Rounds")
            .WithSummary("Start a round now").WithDescription("409 when a round is already open or no fog can take part.").ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/models", (PortalQueries q, CancellationToken ct) => q.ModelsAsync(ct)).WithTags("Models")
            .WithSummary("Model versions with their evaluation, promotion and pin");
        // An operator's promotion or roll-back pins the model: rounds do not replace it until the pin is released.
        api.MapPost("/models/{version}/promote", async (string version, ClaimsPrincipal user, ModelRegistry registry, CancellationToken ct) =>
        {
            try
            {
                return Results.Ok(await registry.PinAsync(version, user.Identity?.Name ?? "operator", ct));
            }
            catch (KeyNotFoundException ex)
            {
                return Results.Problem(ex.Message, statusCode: StatusCodes.Status404NotFound);
            }
        }).RequireAuthorization(PortalRoles.AdminPolicy).WithTags("Models")
            .WithSummary("Promote (or roll back to) a version and pin it")
            .WithDescription("The fogs switch to it; rounds do not replace it until the pin is released.").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/models/release-pin", async (ModelRegistry registry, CancellationToken ct) =>
            Results.Ok(new { released = await registry.ReleasePinAsync(ct) })).RequireAuthorization(PortalRoles.AdminPolicy).WithTags("Models")
            .WithSummary("Release the operator's pin: rounds may promote again");
        api.MapGet("/experiments", (PortalQueries q, CancellationToken ct) => q.ExperimentRunsAsync(ct)).WithTags("Experiments")
            .WithSummary("Imported experiment runs (shown on the Training page)");
        api.MapPost("/experiments", async ([FromBody] ExperimentImport body, PortalQueries q, CancellationToken ct) =>
        {
            try
            {
                var record = await q.ImportExperimentAsync(body.Run, body.Rounds, ct);
                return Results.Ok(new { record.Name, record.ImportedAt });
            }
            catch (InvalidDataException ex)
            {
                return Results.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest);
            }
        }).RequireAuthorization(PortalRoles.AdminPolicy).WithTags("Experiments")
            .WithSummary("Import an experiment run (run.json and rounds.jsonl texts)").ProducesValidationProblem();
    }

    /// <summary>Checks the password unless the throttle refuses this user or address; records the outcome.</summary>
    private static async Task<(System.Security.Claims.ClaimsPrincipal? Principal, TimeSpan RetryAfter)> SignInThrottledAsync(HttpContext http, PortalUsers users, LoginThrottle throttle, string? name, string? password)
    {
        var address = http.Connection.RemoteIpAddress?.ToString();
        var wait = throttle.RetryAfter(name, address);
        if (wait > TimeSpan.Zero)
        {
            return (null, wait);
        }

        var principal = await users.SignInAsync(name, password, http.RequestAborted);
        if (principal is null)
        {
            throttle.Failed(name, address);
        }
        else
        {
            throttle.Succeeded(name);
        }

        return (principal, TimeSpan.Zero);
    }

    private static IResult TooManyAttempts(HttpContext http, TimeSpan wait)
    {
        http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return Results.Problem($"Too many failed logins; try again in {Math.Ceiling(wait.TotalMinutes):0} min.", statusCode: StatusCodes.Status429TooManyRequests);
    }

    private static async Task<IResult> LoginFormAsync(HttpContext http, PortalUsers users, LoginThrottle throttle, [FromForm] string? username, [FromForm] string? password, [FromForm] string? returnUrl)
    {
        var (principal, wait) = await SignInThrottledAsync(http, users, throttle, username, password);
        if (principal is null)
        {
            return Results.Redirect(wait > TimeSpan.Zero ? "/login?error=locked" : "/login?error=1");
        }

        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        return Results.LocalRedirect(string.IsNullOrEmpty(returnUrl) || !returnUrl.StartsWith('/') || returnUrl.StartsWith("//", StringComparison.Ordinal) ? "/" : returnUrl);
    }

    private static async Task<IResult> LoginJsonAsync(HttpContext http, PortalUsers users, LoginThrottle throttle, LoginRequest request)
    {
        if (string.IsNullOrEmpty(request.Name) || string.IsNullOrEmpty(request.Password))
        {
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            if (string.IsNullOrEmpty(request.Name))
            {
                errors["name"] = ["required (the user name; not 'username' or 'user')"];
            }

            if (string.IsNullOrEmpty(request.Password))
            {
                errors["password"] = ["required"];
            }

            return Results.ValidationProblem(errors, detail: "The body must be JSON like {\"name\": \"admin\", \"password\": \"...\"}.", title: "Login needs a name and a password");
        }

        var (principal, wait) = await SignInThrottledAsync(http, users, throttle, request.Name, request.Password);
        if (principal is null)
        {
            return wait > TimeSpan.Zero ? TooManyAttempts(http, wait) : Results.Problem("Wrong name or password.", statusCode: StatusCodes.Status401Unauthorized, title: "Login failed");
        }

        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        return Results.Ok(new { name = request.Name, role = principal.FindFirstValue(ClaimTypes.Role) });
    }
}

/// <summary>A demographics window as the API returns it.</summary>
public sealed record WindowDto(Guid MessageId, string FogId, string EdgeId, string CameraId, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, int Faces, double? MeanAge, string ModelVersion, IReadOnlyDictionary<string, int> AgeGroups)
{
    public static WindowDto From(DemographicsWindow w)
    {
        ArgumentNullException.ThrowIfNull(w);
        return new(w.MessageId, w.FogId, w.EdgeId, w.CameraId, w.WindowStart, w.WindowEnd, w.Faces, w.MeanAge, w.ModelVersion, w.Groups.ToDictionary(g => g.Label, g => g.Count));
    }
}
