using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FogLens.Launch;

/// <summary>
/// A private certificate authority and one broker certificate for 127.0.0.1 / localhost, written as PEM files
/// (mode 0600 for keys) so a site on one machine can run every MQTT hop over TLS: the embedded brokers serve
/// <see cref="ServerCertificate"/> with <see cref="ServerKey"/>, and clients trust <see cref="Authority"/>.
/// </summary>
public sealed record TlsMaterial(string Authority, string ServerCertificate, string ServerKey)
{
    public static TlsMaterial Create(string folder)
    {
        Directory.CreateDirectory(folder);
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=FogLens site CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(30));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // server authentication
        using var server = request.Create(ca, now.AddMinutes(-5), now.AddDays(30), RandomNumberGenerator.GetBytes(12));

        var material = new TlsMaterial(Path.Combine(folder, "ca.crt"), Path.Combine(folder, "broker.crt"), Path.Combine(folder, "broker.key"));
        File.WriteAllText(material.Authority, ca.ExportCertificatePem());
        File.WriteAllText(material.ServerCertificate, server.ExportCertificatePem());
        File.WriteAllText(material.ServerKey, serverKey.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(material.ServerKey, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return material;
    }
}
