#pragma once

#include <QImage>
#include <QString>

namespace azid::ui {

// A QR code of `text` (error correction level M), `moduleSize` pixels per module with the standard
// quiet zone of four modules; a null image if the text does not fit.
QImage qrCodeImage(const QString &text, int moduleSize = 4);

} // namespace azid::ui
