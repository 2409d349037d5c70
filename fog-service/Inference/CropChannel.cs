using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace FogLens.FogService.Inference;

/// <summary>
/// Bounded queue between MQTT receipt and inference. When full, the receiving handler waits, which
/// holds back the broker's acknowledgements and so slows the edges down (back-pressure) instead of
/// dropping crops.
/// </summary>
public sealed class CropChannel(IOptions<FogOptions> options)
{
    private readonly Channel<CropWork> _channel = Channel.CreateBounded<CropWork>(new BoundedChannelOptions(options.Value.QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });

    public ChannelReader<CropWork> Reader => _channel.Reader;

    public int Depth => _channel.Reader.Count;

    public ValueTask EnqueueAsync(CropWork work, CancellationToken cancellationToken) => _channel.Writer.WriteAsync(work, cancellationToken);
}
