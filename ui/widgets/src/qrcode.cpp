#include "azid/ui/qrcode.h"

#include <QPainter>

#include <qrencode.h>

#include <memory>

namespace azid::ui {

QImage qrCodeImage(const QString &text, int moduleSize)
{
    const QByteArray utf8 = text.toUtf8();
    std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
        QRcode_encodeString(utf8.constData(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
    if (!code || moduleSize <= 0)
        return {};
    constexpr int quietZone = 4;
    const int modules = code->width + 2 * quietZone;
    QImage image(modules * moduleSize, modules * moduleSize, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setPen(Qt::NoPen);
    painter.setBrush(Qt::black);
    for (int y = 0; y < code->width; ++y) {
        for (int x = 0; x < code->width; ++x) {
            // Bit 0 of each byte: the module is dark.
            if (code->data[y * code->width + x] & 1) {
                painter.drawRect((x + quietZone) * moduleSize, (y + quietZone) * moduleSize, moduleSize,
                                 moduleSize);
            }
        }
    }
    return image;
}

} // namespace azid::ui
