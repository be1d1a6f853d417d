// What the developer tools print (az, azd, pwsh) and Azid reads: tokens, expiry times, azd's error
// lines; and the redaction applied before any of it reaches a message.

#include "developertool.h"
#include "fuzzing.h"
#include "oauth.h"

#include <QTimeZone>

using namespace azid;
using namespace azid::detail;

namespace {
void checkExpiry(const std::optional<AccessTokenInfo> &info)
{
    if (info) {
        AZID_FUZZ_CHECK(!info->token.isEmpty());
        AZID_FUZZ_CHECK(info->expiresOn >= 0 && info->expiresOn <= limits::MaxEpochSeconds);
    }
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray input = fuzz::bytes(data, size);
    const QString text = QString::fromUtf8(input);
    static const QTimeZone zone(2 * 3600);

    checkExpiry(parseAzureCliToken(input, zone));
    checkExpiry(parseAzdToken(input, zone));
    checkExpiry(parsePowerShellToken(input));
    (void)parseAzureCliExpiresOn(text, zone);
    (void)parseAzdExpiresOn(text, zone);
    // azd's JSON lines, on stdout or on stderr.
    const qsizetype half = input.size() / 2;
    (void)azdErrorMessage(input.left(half), input.mid(half));
    (void)redactTokens(text);
    return 0;
}
