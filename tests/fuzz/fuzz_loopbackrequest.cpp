// What a browser, or anything else on this machine, sends to the loopback redirect listener
// (parseLoopbackRequest): nothing it sends is a redirect unless it is a GET with code or error.

#include "fuzzing.h"
#include "loopbackserver.h"

using namespace azid::detail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray input = azid::fuzz::bytes(data, size);
    const LoopbackRequest request = parseLoopbackRequest(input);
    using Kind = LoopbackRequest::Kind;
    if (input.size() > LoopbackRequest::MaxBytes)
        AZID_FUZZ_CHECK(request.kind == Kind::TooLarge);
    if (request.kind == Kind::Redirect) {
        AZID_FUZZ_CHECK(input.startsWith("GET "));
        // Echoed into the answer page HTML-escaped.
        const QString page = htmlEscape(request.redirect.error + request.redirect.errorDescription);
        AZID_FUZZ_CHECK(!page.contains(QLatin1Char('<')) && !page.contains(QLatin1Char('"')));
    } else {
        AZID_FUZZ_CHECK(request.state.isEmpty() && request.redirect.code.isEmpty());
    }
    return 0;
}
