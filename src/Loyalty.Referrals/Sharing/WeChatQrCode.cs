using QRCoder;

namespace Loyalty.Referrals.Sharing;

/// <summary>
/// WeChat has no share URL: a customer shares by letting a friend scan a QR code of the link. This renders it as PNG
/// bytes (for e-mail attachments and pages) or an SVG string (inline in pages).
/// </summary>
public static class WeChatQrCode
{
    /// <summary>A PNG of the QR code of <paramref name="url"/>, <paramref name="pixelsPerModule"/> pixels per module.</summary>
    public static byte[] Png(Uri url, int pixelsPerModule = 8)
    {
        ArgumentNullException.ThrowIfNull(url);
        using var data = QRCodeGenerator.GenerateQrCode(url.AbsoluteUri, QRCodeGenerator.ECCLevel.M);
        using var png = new PngByteQRCode(data);
        return png.GetGraphic(pixelsPerModule);
    }

    /// <summary>An SVG document of the QR code of <paramref name="url"/>.</summary>
    public static string Svg(Uri url, int pixelsPerModule = 8)
    {
        ArgumentNullException.ThrowIfNull(url);
        using var data = QRCodeGenerator.GenerateQrCode(url.AbsoluteUri, QRCodeGenerator.ECCLevel.M);
        using var svg = new SvgQRCode(data);
        return svg.GetGraphic(pixelsPerModule);
    }

    /// <summary>The PNG as a <c>data:</c> URI, for an <c>img</c> in a page (many mail clients block data URIs: attach the PNG in e-mail).</summary>
    public static string PngDataUri(Uri url, int pixelsPerModule = 8) => "data:image/png;base64," + Convert.ToBase64String(Png(url, pixelsPerModule));
}
