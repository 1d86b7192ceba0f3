package api

// Customer is the reply to GET /account/v1/customer. Username is the name
// used in JFS URLs, usually not the e-mail address.
type Customer struct {
	Username          string `json:"username"`
	Email             string `json:"email"`
	Name              string `json:"name"`
	CountryCode       string `json:"country_code"`
	LanguageCode      string `json:"language_code"`
	CustomerGroupCode string `json:"customer_group_code"`
	BrandCode         string `json:"brand_code"`
	AccountType       string `json:"account_type"`
	SubscriptionType  string `json:"subscription_type"`
	Usage             int64  `json:"usage"`
	Quota             int64  `json:"quota"` // bytes, -1 = unlimited
	BusinessUsage     int64  `json:"business_usage"`
	BusinessQuota     int64  `json:"business_quota"`
	WriteLocked       bool   `json:"write_locked"`
	ReadLocked        bool   `json:"read_locked"`
	LockedCause       any    `json:"locked_cause"`
	WebHash           string `json:"web_hash"`
	AndroidHash       string `json:"android_hash"`
	IOSHash           string `json:"ios_hash"`
}

// AllocateRequest is the body of POST /files/v1/allocate. Path is
// "/jfs/<device>/<mountpoint>/…" without the username, unescaped.
type AllocateRequest struct {
	Path     string `json:"path"`
	Bytes    int64  `json:"bytes"`
	MD5      string `json:"md5"`
	Created  string `json:"created,omitempty"`
	Modified string `json:"modified,omitempty"`
}

// AllocateResponse tells where to send the bytes and from which offset.
// State COMPLETED means the content is already stored: send nothing.
type AllocateResponse struct {
	Name      string `json:"name"`
	Path      string `json:"path"`
	State     string `json:"state"`
	UploadID  string `json:"upload_id"`
	UploadURL string `json:"upload_url"`
	Bytes     *int64 `json:"bytes"` // nil: not in the reply
	ResumePos int64  `json:"resume_pos"`
}

// UploadResponse is the reply to a completed byte upload. It carries the
// stored md5 and size; State, seen in some replies, is COMPLETED.
type UploadResponse struct {
	Path      string   `json:"path"`
	ContentID string   `json:"content_id"`
	Bytes     *int64   `json:"bytes"` // nil: not in the reply
	MD5       string   `json:"md5"`
	State     string   `json:"state"`
	Modified  JSONTime `json:"modified"`
}

// JSONError is the error body of api.jottacloud.com and the upload URL.
type JSONError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Cause   string `json:"cause"`
	ErrorID string `json:"error_id"`
	XID     string `json:"x-id"`
}

// PurgeTrashResponse counts what POST /files/v1/purge_trash removed.
type PurgeTrashResponse struct {
	Folders int64 `json:"folders"`
	Files   int64 `json:"files"`
}

// OAuthError is the error body of the OIDC token endpoint.
type OAuthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// TokenResponse is the OIDC token endpoint's success body.
type TokenResponse struct {
	AccessToken      string `json:"access_token"`
	ExpiresIn        int64  `json:"expires_in"`
	RefreshExpiresIn int64  `json:"refresh_expires_in"`
	RefreshToken     string `json:"refresh_token"`
	TokenType        string `json:"token_type"`
	IDToken          string `json:"id_token"`
	NotBeforePolicy  int64  `json:"not-before-policy"`
	SessionState     string `json:"session_state"`
	Scope            string `json:"scope"`
}

// OIDCConfiguration is the part of the OpenID discovery document the client
// uses.
type OIDCConfiguration struct {
	Issuer                string   `json:"issuer"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	UserinfoEndpoint      string   `json:"userinfo_endpoint"`
	EndSessionEndpoint    string   `json:"end_session_endpoint"`
	GrantTypesSupported   []string `json:"grant_types_supported"`
	ScopesSupported       []string `json:"scopes_supported"`
}
