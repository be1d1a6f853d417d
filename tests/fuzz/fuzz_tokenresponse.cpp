// A token endpoint's success answer (parseTokenResponse): every number clamped at the parser, so
// that adding it to the current time, as PublicClient does, cannot overflow.

#include "fuzzing.h"
#include "oauth.h"

using namespace azid;
using namespace azid::detail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    HttpResponse response;
    response.status = 200;
    response.body = fuzz::bytes(data, size);
    const auto parsed = parseTokenResponse(response, QStringLiteral("Authentication failed"));
    if (!parsed.ok()) {
        AZID_FUZZ_CHECK(!parsed.error().message.isEmpty());
        return 0;
    }
    const TokenResponse &t = parsed.value();
    AZID_FUZZ_CHECK(!t.accessToken.isEmpty());
    AZID_FUZZ_CHECK(t.expiresIn >= 0 && t.expiresIn <= limits::MaxTokenLifetime);
    AZID_FUZZ_CHECK(t.extExpiresIn >= 0 && t.extExpiresIn <= limits::MaxTokenLifetime);
    AZID_FUZZ_CHECK(!t.refreshIn || (*t.refreshIn >= 0 && *t.refreshIn <= limits::MaxTokenLifetime));
    AZID_FUZZ_CHECK(!t.expiresOn || (*t.expiresOn >= 0 && *t.expiresOn <= limits::MaxEpochSeconds));
    // What PublicClient::handleTokenResponse computes from them (UBSan checks the additions).
    const qint64 expiresOn =
        t.expiresIn > 0 ? fuzz::Now + t.expiresIn : t.expiresOn.value_or(fuzz::Now + 3600);
    const qint64 extended = fuzz::Now + t.extExpiresIn;
    const qint64 refreshOn = fuzz::Now + t.refreshIn.value_or(0);
    AZID_FUZZ_CHECK(expiresOn - fuzz::Now <= limits::MaxEpochSeconds && extended >= fuzz::Now &&
                    refreshOn >= fuzz::Now);
    return 0;
}
