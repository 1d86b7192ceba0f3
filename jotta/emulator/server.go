package emulator

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// statusWriter remembers the status for the request log and lets
// http.ResponseController reach the connection.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// discardWriter swallows a reply (for faults that replace it).
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}

// classify puts a request into its endpoint class.
func (s *Server) classify(r *http.Request) Endpoint {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/auth/realms/"):
		switch {
		case strings.HasSuffix(p, "/.well-known/openid-configuration"):
			return EndpointDiscovery
		case strings.HasSuffix(p, "/protocol/openid-connect/token"):
			return EndpointToken
		case strings.HasSuffix(p, "/protocol/openid-connect/userinfo"):
			return EndpointUserinfo
		}
	case p == "/account/v1/customer":
		return EndpointCustomer
	case p == "/files/v1/allocate":
		return EndpointAllocate
	case strings.HasPrefix(p, "/files/v1/upload/"):
		return EndpointUpload
	case p == "/files/v1/purge_trash":
		return EndpointPurgeTrash
	case p == "/jfs" || strings.HasPrefix(p, "/jfs/"):
		if r.Method == http.MethodPost {
			return EndpointJFSPost
		}
		switch r.URL.Query().Get("mode") {
		case "liststream":
			return EndpointListStream
		case "bin":
			return EndpointDownload
		}
		return EndpointJFSGet
	}
	return EndpointUnknown
}

func isJFS(ep Endpoint) bool {
	return ep == EndpointJFSGet || ep == EndpointJFSPost || ep == EndpointListStream || ep == EndpointDownload
}

// ServeHTTP serves every emulated host.
func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rw, r, ok := s.shape(rw, r)
	if !ok {
		return
	}
	ep := s.classify(r)
	s.stats.add(func(st *Stats) { st.Requests[ep]++ })
	w := &statusWriter{ResponseWriter: rw}
	defer func() {
		// Only method, path and status: headers, bodies and queries may
		// carry credentials.
		s.log.Debug("emulator request", "method", r.Method, "path", r.URL.Path, "endpoint", string(ep),
			"status", w.status, "bytes", w.bytes, "duration", time.Since(start))
	}()
	var fault *Fault
	if f, ok := s.faults.take(ep); ok {
		fault = &f
		switch {
		case f.TokenEndpointDown:
			hangUp(w)
			return
		case f.DropAfterBytes != 0 || f.CorruptMD5 || f.IgnoreRange || f.WrongStats || f.UploadReply != "":
			// handled by the endpoint
		case f.TruncateAfterBytes != 0 || f.StallAfterBytes != 0:
			s.route(&bodyFaultWriter{statusWriter: w, ctx: r.Context(), f: f}, r, ep, nil)
			return
		case f.Status != 0 && f.Applied:
			s.route(&discardWriter{h: http.Header{}}, r, ep, nil)
			s.writeFault(w, ep, f)
			return
		case f.Status != 0:
			s.writeFault(w, ep, f)
			return
		}
	}
	s.route(w, r, ep, fault)
}

// hangUp closes the connection without a reply.
func hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2 or a recorder cannot drop the connection; a gateway
		// error is the nearest a client can see.
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	if lc, ok := conn.(interface{ SetLinger(int) error }); ok {
		_ = lc.SetLinger(0)
	}
	_ = conn.Close()
}

func (s *Server) writeFault(w http.ResponseWriter, ep Endpoint, f Fault) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.NoBody {
		w.WriteHeader(f.Status)
		return
	}
	if isJFS(ep) {
		writeXMLError(w, &jfsError{status: f.Status, class: excServer, text: http.StatusText(f.Status)})
		return
	}
	writeAPIError(w, f.Status, "ServerException", http.StatusText(f.Status))
}

func (s *Server) route(w http.ResponseWriter, r *http.Request, ep Endpoint, fault *Fault) {
	p := r.URL.EscapedPath()
	switch ep {
	case EndpointDiscovery, EndpointToken, EndpointUserinfo:
		rest := strings.TrimPrefix(r.URL.Path, "/auth/realms/")
		realm, _, _ := strings.Cut(rest, "/")
		if realm != s.realm {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "Realm does not exist"})
			return
		}
		switch ep {
		case EndpointDiscovery:
			s.handleDiscovery(w)
		case EndpointToken:
			s.handleToken(w, r)
		default:
			s.handleUserinfo(w, r)
		}
		return
	case EndpointUnknown:
		writeAPIError(w, http.StatusNotFound, "NotFoundException", "No such endpoint")
		return
	}
	if !s.bearerOK(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="jottacloud"`)
		if isJFS(ep) {
			writeXMLError(w, errf(http.StatusUnauthorized, excBadCredentials, "Invalid or expired access token"))
		} else {
			writeAPIError(w, http.StatusUnauthorized, "BadCredentialsException", "Invalid or expired access token")
		}
		return
	}
	switch ep {
	case EndpointCustomer:
		s.handleCustomer(w, r)
	case EndpointAllocate:
		s.handleAllocate(w, r)
	case EndpointUpload:
		s.handleUpload(w, r, strings.TrimPrefix(p, "/files/v1/upload/"), fault)
	case EndpointPurgeTrash:
		s.handlePurgeTrash(w, r)
	default:
		s.handleJFS(w, r, fault)
	}
}

// handleJFS serves /jfs/<user>/….
func (s *Server) handleJFS(w http.ResponseWriter, r *http.Request, fault *Fault) {
	segs, slash, jerr := decodeJFSPath(r.URL.EscapedPath())
	if jerr != nil {
		writeXMLError(w, jerr)
		return
	}
	if len(segs) == 0 || !strings.EqualFold(segs[0], s.User()) {
		writeXMLError(w, errf(http.StatusBadRequest, excUsernameNF, "Username not found in url!"))
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		s.jfsGet(w, r, segs[1:], fault)
	case http.MethodPost:
		s.jfsPost(w, r, segs[1:], slash)
	default:
		writeXMLError(w, errf(http.StatusMethodNotAllowed, excIllegalArg, "Method %s not supported", r.Method))
	}
}

// bodyFaultWriter cuts or stalls a reply body after a number of bytes.
type bodyFaultWriter struct {
	*statusWriter
	ctx  context.Context
	f    Fault
	sent int64
	done bool
}

func (b *bodyFaultWriter) Write(p []byte) (int, error) {
	if b.done {
		return 0, http.ErrHijacked
	}
	limit := b.f.TruncateAfterBytes
	if b.f.StallAfterBytes != 0 {
		limit = b.f.StallAfterBytes
	}
	limit = max(0, limit)
	if b.sent+int64(len(p)) <= limit {
		n, err := b.statusWriter.Write(p)
		b.sent += int64(n)
		return n, err
	}
	n, _ := b.statusWriter.Write(p[:limit-b.sent])
	b.sent += int64(n)
	_ = http.NewResponseController(b.statusWriter).Flush()
	b.done = true
	if b.f.StallAfterBytes != 0 {
		<-b.ctx.Done()
		return n, b.ctx.Err()
	}
	hangUp(b.statusWriter)
	return n, http.ErrHijacked
}
