#!/usr/bin/env python3
"""A local test server that answers like the platforms infludash connects to (SPEC §9):

- the Instagram Graph API: GET /v21.0/{ig-user-id}/media (fields, limit, cursor paging with
  paging.cursors.after and paging.next) and GET /v21.0/{ig-media-id}/insights?metric=...
  in the documented {"data":[{"name","period","values":[{"value"}],"title","description",
  "id"}]} shape, errors as {"error":{"message","type","code","error_subcode","fbtrace_id"}};
- the YouTube Data API v3: GET /youtube/v3/channels (part=contentDetails),
  /youtube/v3/playlistItems (part=contentDetails, maxResults <= 50, pageToken /
  nextPageToken) and /youtube/v3/videos (part=snippet,statistics, at most 50 ids), errors
  as {"error":{"code","message","errors":[{"message","domain","reason"}]}};
- a plain file server, GET /files/NAME from --files DIR, with ETag and Last-Modified and
  304 answers to If-None-Match / If-Modified-Since; GET /redirect/N answers N redirects in a
  row before "arrived".

Scenarios are chosen by a path prefix, /s/SCENARIO[-ANYTHING]/ before the documented path,
so a test's --base-url picks one and parallel tests never share state (counters are kept
per prefix). GET /_log?prefix=/s/... returns the requests seen under that prefix.

Scenarios: ratelimit (first answer 429 with Retry-After: 7), retry-date (first answer 503
with Retry-After as an HTTP date 5 s ahead), flaky (500 then 502, then normal),
ig-throttled (Graph code 4 twice with X-Business-Use-Case-Usage asking 1 minute, then
normal), ig-throttled-long (always code 17, 60 minutes), expired (Graph code 190 subcode
463, "Session has expired on Monday, 30-Nov-26 04:00:00 PST"), quota (YouTube 403
quotaExceeded), legacy-badkey (YouTube's older keyInvalid answer), malformed (a JSON body
cut short), huge (a 50 MB body, chunked), huge-cl (the same with Content-Length).

The access token must be "test-token" and the API key "test-key"; anything else gets the
platform's answer for a bad credential. Prints the port it listens on (127.0.0.1, port 0)
and exits after --lifetime seconds. Only the Python standard library is used.
"""
import argparse
import base64
import email.utils
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

API_VERSION = "v21.0"
TOKEN = "test-token"
API_KEY = "test-key"

IG_USER = "17841400000000001"
# Seven media, newest first as the API lists them.
IG_MEDIA = []
for i in range(7, 0, -1):
    IG_MEDIA.append({
        "id": "1800000000000000%d" % i,
        "caption": ("Post %d: MuscleBlaze whey, \"gold\" edition #ad\nsecond line ₹999" % i)
        if i != 4 else "Post 4, no label",
        "media_type": "VIDEO" if i == 3 else ("CAROUSEL_ALBUM" if i == 5 else "IMAGE"),
        "media_product_type": "REELS" if i == 3 else "FEED",
        "permalink": "https://www.instagram.com/p/TEST%d/" % i,
        "timestamp": "2026-11-%02dT%02d:30:00+0000" % (20 + i, 20 if i == 2 else 8),
        "like_count": 100 * i + 1,
        "comments_count": 10 * i + 2,
    })
# Lifetime insights per media: reach, saved, shares, views.
IG_INSIGHTS = {m["id"]: {"reach": 1000 * n + 3, "saved": 5 * n, "shares": 3 * n,
                         "views": 2000 * n + 7}
               for n, m in enumerate(IG_MEDIA, start=1)}
IG_VIEWS_UNSUPPORTED = "18000000000000003"  # answers code 100 when views is asked
IG_NO_INSIGHTS = "18000000000000006"        # posted before the business conversion

YT_CHANNEL = "UCtest000000000000000001"
YT_UPLOADS = "UUtest000000000000000001"
YT_VIDEOS = ["yt%09d" % i for i in range(1, 121)]
YT_DELETED = "yt000000013"      # in the playlist, but videos.list does not return it
YT_LIKES_HIDDEN = "yt000000007"  # statistics without likeCount


def fbtrace():
    return base64.b64encode(os.urandom(9)).decode()


def graph_error(message, code, subcode=None, etype="OAuthException"):
    err = {"message": message, "type": etype, "code": code, "fbtrace_id": fbtrace()}
    if subcode is not None:
        err["error_subcode"] = subcode
    return {"error": err}


def youtube_error(code, message, reason, domain):
    return {"error": {"code": code, "message": message,
                      "errors": [{"message": message, "domain": domain, "reason": reason}]}}


def cursor(n):
    return base64.b64encode(("offset:%d" % n).encode()).decode()


def uncursor(text):
    try:
        return int(base64.b64decode(text.encode()).decode().split(":")[1])
    except Exception:
        return None


class State:
    def __init__(self, files):
        self.files = files
        self.lock = threading.Lock()
        self.counts = {}
        self.log = []

    def hit(self, prefix):
        with self.lock:
            self.counts[prefix] = self.counts.get(prefix, 0) + 1
            return self.counts[prefix]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "platforms-test/1"

    def log_message(self, fmt, *args):  # quiet: the tests read what they need from /_log
        pass

    # -- answers --

    def send_json(self, status, obj, headers=None):
        body = json.dumps(obj, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def send_raw(self, status, body, ctype, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def send_huge(self, with_length):
        chunk = (b'{"data":[' + b' ' * 65526 + b'\n')[:65536]
        total = 50 * 1024 * 1024
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if with_length:
            self.send_header("Content-Length", str(total))
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        sent = 0
        try:
            while sent < total:
                if with_length:
                    self.wfile.write(chunk)
                else:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            if not with_length:
                self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    # -- routing --

    def do_GET(self):
        state = self.server.state
        parts = urlsplit(self.path)
        path = parts.path
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        prefix, scenario = "", ""
        if path.startswith("/s/"):
            rest = path[3:]
            name, _, tail = rest.partition("/")
            prefix = "/s/" + name
            scenario = name
            for known in ("ig-throttled-long", "ig-throttled", "legacy-badkey", "retry-date",
                          "huge-cl", "ratelimit", "flaky", "expired", "quota", "malformed",
                          "huge"):
                if name == known or name.startswith(known + "-"):
                    scenario = known
                    break
            path = "/" + tail
        if path == "/_log":
            want = query.get("prefix", "")
            with state.lock:
                entries = [e for e in state.log if e["prefix"] == want]
            return self.send_json(200, entries)
        with state.lock:
            state.log.append({
                "prefix": prefix, "path": path, "query": query,
                "if_none_match": self.headers.get("If-None-Match"),
                "if_modified_since": self.headers.get("If-Modified-Since"),
            })
        n = state.hit(prefix)
        if self.scenario_answer(scenario, n, path):
            return
        if path.startswith("/files/"):
            return self.serve_file(path[len("/files/"):])
        if path.startswith("/redirect/"):
            left = int(path[len("/redirect/"):])
            if left <= 0:
                return self.send_raw(200, b"arrived\n", "text/plain")
            self.send_response(302)
            self.send_header("Location", "%s/redirect/%d" % (prefix, left - 1))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path.startswith("/youtube/v3/"):
            return self.youtube(path[len("/youtube/v3/"):], query)
        if path.startswith("/%s/" % API_VERSION):
            return self.graph(path[len(API_VERSION) + 2:], query)
        self.send_json(404, {"error": "no such path: " + path})

    def scenario_answer(self, scenario, n, path):
        """Answers for the scenario when it decides this request; False to answer normally."""
        if scenario == "ratelimit" and n == 1:
            self.send_json(429, graph_error("(#4) Application request limit reached", 4),
                           {"Retry-After": "7"})
            return True
        if scenario == "retry-date" and n == 1:
            when = email.utils.formatdate(time.time() + 5, usegmt=True)
            self.send_json(503, {"error": "busy"}, {"Retry-After": when})
            return True
        if scenario == "flaky" and n <= 2:
            self.send_raw(500 if n == 1 else 502, b"<html>upstream trouble</html>",
                          "text/html")
            return True
        if scenario == "ig-throttled" and n <= 2:
            usage = {"17841400000000001": [{"type": "instagram", "call_count": 100,
                                            "total_cputime": 10, "total_time": 10,
                                            "estimated_time_to_regain_access": 1}]}
            self.send_json(400, graph_error("(#4) Application request limit reached", 4),
                           {"X-Business-Use-Case-Usage": json.dumps(usage)})
            return True
        if scenario == "ig-throttled-long":
            usage = {"17841400000000001": [{"type": "instagram", "call_count": 100,
                                            "total_cputime": 10, "total_time": 10,
                                            "estimated_time_to_regain_access": 60}]}
            self.send_json(400, graph_error("(#17) User request limit reached", 17),
                           {"X-Business-Use-Case-Usage": json.dumps(usage)})
            return True
        if scenario == "expired":
            self.send_json(400, graph_error(
                "Error validating access token: Session has expired on Monday, 30-Nov-26 "
                "04:00:00 PST. The current time is Tuesday, 01-Dec-26 09:12:44 PST.", 190, 463))
            return True
        if scenario == "quota":
            self.send_json(403, youtube_error(
                403, "The request cannot be completed because you have exceeded your "
                "<a href=\"/youtube/v3/getting-started#quota\">quota</a>.", "quotaExceeded",
                "youtube.quota"))
            return True
        if scenario == "legacy-badkey":
            self.send_json(400, youtube_error(400, "Bad Request", "keyInvalid", "usageLimits"))
            return True
        if scenario == "malformed":
            self.send_raw(200, b'{"data":[{"id":"18000000000000007","caption":"cut sh',
                          "application/json")
            return True
        if scenario in ("huge", "huge-cl"):
            self.send_huge(scenario == "huge-cl")
            return True
        return False

    # -- Instagram Graph API --

    def graph(self, rest, query):
        if query.get("access_token") != TOKEN:
            return self.send_json(400, graph_error(
                "Invalid OAuth access token - Cannot parse access token", 190))
        segs = rest.split("/")
        if len(segs) == 2 and segs[1] == "media":
            if segs[0] != IG_USER:
                return self.send_json(400, graph_error(
                    "Unsupported get request. Object with ID '%s' does not exist, cannot be "
                    "loaded due to missing permissions, or does not support this operation."
                    % segs[0], 100, 33, "GraphMethodException"))
            return self.graph_media(query)
        if len(segs) == 2 and segs[1] == "insights":
            return self.graph_insights(segs[0], query)
        self.send_json(400, graph_error("Unknown path components: /" + rest, 2500))

    def graph_media(self, query):
        fields = [f for f in query.get("fields", "id").split(",") if f]
        limit = int(query.get("limit", "25"))
        start = 0
        if "after" in query:
            start = uncursor(query["after"])
            if start is None:
                return self.send_json(400, graph_error("Invalid cursor", 100))
        page = IG_MEDIA[start:start + limit]
        data = [{k: m[k] for k in fields if k in m} | {"id": m["id"]} for m in page]
        paging = {"cursors": {"before": cursor(start), "after": cursor(start + len(page))}}
        host = self.headers.get("Host", "graph.facebook.com")
        base = "http://%s/%s/%s/media?access_token=%s&fields=%s&limit=%d" % (
            host, API_VERSION, IG_USER, TOKEN, ",".join(fields), limit)
        if start + limit < len(IG_MEDIA):
            paging["next"] = base + "&after=" + paging["cursors"]["after"]
        if start > 0:
            paging["previous"] = base + "&before=" + paging["cursors"]["before"]
        self.send_json(200, {"data": data, "paging": paging})

    def graph_insights(self, media_id, query):
        if media_id not in IG_INSIGHTS:
            return self.send_json(400, graph_error(
                "Unsupported get request. Object with ID '%s' does not exist" % media_id, 100,
                33, "GraphMethodException"))
        metrics = [m for m in query.get("metric", "").split(",") if m]
        if not metrics:
            return self.send_json(400, graph_error(
                "(#100) The parameter metric is required", 100))
        if media_id == IG_NO_INSIGHTS:
            err = graph_error("Invalid parameter", 100, 2108006)
            err["error"]["error_user_title"] = "Media posted before business account conversion"
            err["error"]["error_user_msg"] = ("The media was posted before the most recent time "
                                              "that the user's account was converted to a "
                                              "business account from a personal account.")
            return self.send_json(400, err)
        for m in metrics:
            if m not in ("reach", "saved", "shares", "views", "likes", "comments",
                         "total_interactions"):
                return self.send_json(400, graph_error(
                    "(#100) metric[0] must be one of the following values: reach, saved, "
                    "shares, views, likes, comments, total_interactions", 100))
            if m == "views" and media_id == IG_VIEWS_UNSUPPORTED:
                return self.send_json(400, graph_error(
                    "(#100) The Media Insights API does not support the views metric for this "
                    "media product type.", 100))
        titles = {"reach": ("Accounts reached", "The number of unique accounts that have seen "
                            "your post at least once."),
                  "saved": ("Saved", "The number of saves of your post."),
                  "shares": ("Shares", "The number of shares of your post."),
                  "views": ("Views", "The number of times your post was played or displayed.")}
        values = IG_INSIGHTS[media_id]
        data = []
        for m in metrics:
            title, desc = titles.get(m, (m.title(), m))
            data.append({"name": m, "period": "lifetime", "values": [{"value": values.get(m, 0)}],
                         "title": title, "description": desc,
                         "id": "%s/insights/%s/lifetime" % (media_id, m)})
        self.send_json(200, {"data": data})

    # -- YouTube Data API v3 --

    def youtube(self, method, query):
        if query.get("key") != API_KEY:
            msg = "API key not valid. Please pass a valid API key."
            err = youtube_error(400, msg, "badRequest", "global")
            err["error"]["status"] = "INVALID_ARGUMENT"
            err["error"]["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                        "reason": "API_KEY_INVALID", "domain": "googleapis.com",
                                        "metadata": {"service": "youtube.googleapis.com"}}]
            return self.send_json(400, err)
        if "part" not in query:
            return self.send_json(400, youtube_error(
                400, "No filter selected. Expected one of: ...", "missingRequiredParameter",
                "youtube.parameter"))
        if method == "channels":
            items = []
            if query.get("id") == YT_CHANNEL:
                items.append({"kind": "youtube#channel", "etag": "c1", "id": YT_CHANNEL,
                              "contentDetails": {"relatedPlaylists": {"likes": "",
                                                                      "uploads": YT_UPLOADS}}})
            return self.send_json(200, {"kind": "youtube#channelListResponse", "etag": "cl",
                                        "pageInfo": {"totalResults": len(items),
                                                     "resultsPerPage": 5},
                                        "items": items})
        if method == "playlistItems":
            if query.get("playlistId") != YT_UPLOADS:
                return self.send_json(404, youtube_error(
                    404, "The playlist identified with the request's <code>playlistId</code> "
                    "parameter cannot be found.", "playlistNotFound", "youtube.playlistItem"))
            per = int(query.get("maxResults", "5"))
            if per < 0 or per > 50:
                return self.send_json(400, youtube_error(
                    400, "Invalid value for maxResults", "invalidParameter", "global"))
            start = 0
            if query.get("pageToken"):
                start = uncursor(query["pageToken"])
                if start is None:
                    return self.send_json(400, youtube_error(
                        400, "The request specifies an invalid page token.",
                        "invalidPageToken", "youtube.parameter"))
            ids = YT_VIDEOS[start:start + per]
            items = [{"kind": "youtube#playlistItem", "etag": "p%s" % v, "id": "PI" + v,
                      "contentDetails": {"videoId": v,
                                         "videoPublishedAt": self.published(v)}}
                     for v in ids]
            out = {"kind": "youtube#playlistItemListResponse", "etag": "pl",
                   "pageInfo": {"totalResults": len(YT_VIDEOS), "resultsPerPage": per},
                   "items": items}
            if start + per < len(YT_VIDEOS):
                out["nextPageToken"] = cursor(start + per)
            if start > 0:
                out["prevPageToken"] = cursor(max(0, start - per))
            return self.send_json(200, out)
        if method == "videos":
            ids = [v for v in query.get("id", "").split(",") if v]
            if len(ids) > 50:
                return self.send_json(400, youtube_error(
                    400, "The request specifies more than 50 video ids.", "invalidParameter",
                    "youtube.parameter"))
            items = []
            for v in ids:
                if v not in YT_VIDEOS or v == YT_DELETED:
                    continue
                n = int(v[2:])
                stats = {"viewCount": str(10000 + n * 37), "likeCount": str(500 + n),
                         "favoriteCount": "0", "commentCount": str(40 + n)}
                if v == YT_LIKES_HIDDEN:
                    del stats["likeCount"]
                items.append({"kind": "youtube#video", "etag": "v" + v, "id": v,
                              "snippet": {"publishedAt": self.published(v),
                                          "channelId": YT_CHANNEL,
                                          "title": "Video %d, \"Gritzo\" review" % n,
                                          "description": "Paid partnership with HKVitals"
                                          if n % 2 else "",
                                          "channelTitle": "Test Channel"},
                              "statistics": stats})
            return self.send_json(200, {"kind": "youtube#videoListResponse", "etag": "vl",
                                        "pageInfo": {"totalResults": len(items),
                                                     "resultsPerPage": len(items)},
                                        "items": items})
        self.send_json(404, youtube_error(404, "Not Found", "notFound", "global"))

    @staticmethod
    def published(v):
        n = int(v[2:])
        return "2026-%02d-%02dT%02d:15:00Z" % (1 + n % 12, 1 + n % 28, n % 24)

    # -- files --

    def serve_file(self, name):
        state = self.server.state
        if not state.files or "/" in name or name.startswith("."):
            return self.send_raw(404, b"not found\n", "text/plain")
        from urllib.parse import unquote
        path = os.path.join(state.files, unquote(name))
        try:
            st = os.stat(path)
            with open(path, "rb") as f:
                body = f.read()
        except OSError:
            return self.send_raw(404, b"not found\n", "text/plain")
        etag = '"%x-%x"' % (st.st_mtime_ns, st.st_size)
        modified = email.utils.formatdate(st.st_mtime, usegmt=True)
        headers = {"ETag": etag, "Last-Modified": modified}
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if inm is not None:
            if etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*":
                return self.not_modified(headers)
        elif ims is not None:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
                if int(st.st_mtime) <= since:
                    return self.not_modified(headers)
            except (TypeError, ValueError):
                pass
        ctype = "application/json" if name.endswith(".json") else "text/csv; charset=utf-8"
        self.send_raw(200, body, ctype, headers)

    def not_modified(self, headers):
        self.send_response(304)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", "0")
        self.end_headers()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", help="directory served under /files/")
    ap.add_argument("--lifetime", type=float, default=600, help="seconds before exiting")
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.state = State(args.files)
    threading.Timer(args.lifetime, lambda: os._exit(0)).start()
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
