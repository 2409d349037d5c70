using FogLens.CloudPortal;

var builder = WebApplication.CreateBuilder(args);
builder.AddPortalServices();

var app = builder.Build();
app.MapPortalEndpoints();
app.Run();

/// <summary>Entry point, public for WebApplicationFactory in tests.</summary>
public partial class Program;
