using FogLens.FogService;
using FogLens.ServiceDefaults;

if (args is ["--help"] or ["-h"] or ["-?"])
{
    Console.WriteLine("""
        FogLens fog service: age inference on face crops from its edge agents, demographics windows to the
        cloud, and a federated-learning client.

        usage: FogLens.FogService [--urls http://127.0.0.1:5100] [--Section:Key=value ...]

        Configuration (appsettings.json, environment FOGLENS_FOG_Section__Key, or --Section:Key=value):
          Fog:FogId                node id (required)           Fog:ModelPath      ONNX age model
          Fog:DataDirectory        outbox, state, models        Fog:Window         window length (00:01:00)
          Fog:KeepFaces            keep crops on disk (false)   Fog:InferenceBatch batch size (32)
          EdgeBroker:Embedded      run the edge broker (true)   EdgeBroker:Port    its port (1883)
          EdgeBroker:External      mqtt:// broker when not embedded (needs EdgeBroker:FogPassword)
          EdgeBroker:Edges:<id>    password of edge <id> (required, >= 8 characters)
          EdgeBroker:EdgesFile     file of "edge-id password" lines (ids with '-' that bash can't export)
          EdgeBroker:AllowAnonymousEdges  no edge passwords: any edge may connect (development only)
          EdgeBroker:TlsCertificatePath, TlsKeyPath   serve mqtts with this PEM certificate and key
          EdgeBroker:MaxPacketBytes, MaxConnectPacketBytes, ConnectTimeout, MaxConnectionsPerAddress
          Fog:MaxCropSide          largest crop width/height accepted before decoding (1024)
          Cloud:Broker             cloud broker (mqtt://127.0.0.1:1883), Cloud:Username, Cloud:Password
          Federated:LocalData      labelled faces (folder or file list) for federated rounds
          Federated:DatasetDirectory  base folder of a file list

        Endpoints: /healthz, /readyz, /metrics (Prometheus), /api/status.
        """);
    return 0;
}

// Settings files sit beside the binary; relative data paths stay relative to the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddFogServices();
var app = builder.Build();
app.MapFogEndpoints();
return await app.RunServiceAsync("fog-service");

/// <summary>Entry point, public for tests.</summary>
public partial class Program;
