// A token pasted into the token inspector (ui/src/jwt.cpp) and the library's own decoding of
// identity tokens and client_info (credentials/src/oauth.cpp).

#include "azid/model/jwt.h"
#include "fuzzing.h"
#include "oauth.h"

#include <cstring>

using namespace azid;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray input = fuzz::bytes(data, size);

    const model::DecodedToken token = model::decodeJwt(QString::fromUtf8(input));
    AZID_FUZZ_CHECK(token.isJwt == token.error.isEmpty());
    if (token.isJwt) {
        for (auto it = token.claims.begin(); it != token.claims.end(); ++it) {
            (void)model::claimValueText(it.key(), it.value());
            (void)model::claimExplanation(it.key());
            if (model::isTimeClaim(it.key())) {
                if (const auto seconds = model::timeClaimSeconds(it.value())) {
                    AZID_FUZZ_CHECK(*seconds >= 0 && *seconds <= model::MaxClaimTime);
                    (void)model::relativeTime(*seconds - fuzz::Now);
                }
            }
        }
        for (const char *name : {"exp", "nbf", "iat", "auth_time"}) {
            if (const auto seconds = token.timeClaim(QString::fromLatin1(name)))
                AZID_FUZZ_CHECK(*seconds >= 0 && *seconds <= model::MaxClaimTime);
        }
    }
    // relativeTime takes any difference, the smallest qint64 included.
    if (size >= sizeof(qint64)) {
        qint64 seconds = 0;
        std::memcpy(&seconds, data, sizeof seconds);
        (void)model::relativeTime(seconds);
    }

    (void)detail::decodeJwtPayload(input);
    (void)detail::decodeJwtHeader(input);
    (void)detail::decodeClientInfo(input);
    return 0;
}
