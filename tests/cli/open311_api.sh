#!/usr/bin/env bash
# open311_api.sh - black-box test of Open311 GeoReport v2 under /open311/v2/:
# every endpoint in XML and JSON on a real server (random loopback port),
# JSON validated against the shared schemas (../shared/data/open311), XML
# parsed with ElementTree, and the error paths: api_key (403), unknown
# service (404), bad jurisdiction (404), malformed form, wrong content type,
# bad dates and paging (400), oversized bodies (413).
. "$(dirname "$0")/lib/pakn_common.bash"

check "server starts" start_server s1
check "an Open311 key" open311_key test-client
O=/open311/v2

# ---- discovery, services ----------------------------------------------------
req GET $O/discovery.json
check "discovery.json" eval 'status_is 200 && json "d[\"endpoints\"][0][\"formats\"] == [\"text/xml\", \"application/json\"]"'
req GET $O/discovery.xml
check "discovery.xml" eval 'status_is 200 && xml_ok discovery endpoints/endpoint/url'
req GET $O/services.json
check "services.json is valid" eval 'status_is 200 && schema_ok services.json'
check "services: categories, no complaints" json 'len(d) >= 20 and all(s["metadata"] is False and s["type"] == "realtime" for s in d) and "khieu-nai-to-cao" not in [s["service_code"] for s in d] and any(s["service_code"] == "ha-tang-giao-thong" and s["service_name"] == "Hạ tầng giao thông" for s in d)'
req GET $O/services.xml
check "services.xml" eval 'status_is 200 && xml_ok services service/service_code service/service_name service/group service/keywords'
req GET $O/services/tieng-on.json
check "service definition json" eval 'status_is 200 && schema_ok service-definition.json && json "d[\"service_code\"] == \"tieng-on\""'
req GET $O/services/tieng-on.xml
check "service definition xml" eval 'status_is 200 && xml_ok service_definition service_code attributes'
req GET $O/services/khong-co.json
check "unknown service json 404" eval 'status_is 404 && json "d[0][\"code\"] == 404 and len(d[0][\"description\"]) > 5"'
req GET $O/services/khong-co.xml
check "unknown service xml 404" eval 'status_is 404 && xml_ok errors error/code error/description'
req GET $O/services.txt
check "unknown format 404" status_is 404
req GET "$O/services.json?jurisdiction_id=hanoi.gov.vn"
check "jurisdiction hanoi.gov.vn accepted" status_is 200
req GET "$O/services.json?jurisdiction_id=hcm.gov.vn"
check "other jurisdiction 404" eval 'status_is 404 && json "d[0][\"code\"] == 404"'

# ---- POST requests ----------------------------------------------------------
post() { # post FMT [curl data args...]
	local fmt=$1
	shift
	req POST "$O/requests.$fmt" "$@"
}
GOOD=(--data-urlencode "api_key=$KEY" -d service_code=ha-tang-giao-thong
	--data-urlencode "description=Ổ gà lớn trên đường Láng, phường Láng từ sáng nay, nguy hiểm cho xe máy"
	-d lat=21.0075 -d long=105.8061 --data-urlencode "first_name=Văn An"
	--data-urlencode "last_name=Nguyễn" -d phone=0912345678 -d email=an@example.org
	-d media_url=https://example.org/o-ga.jpg -d device_id=dev-1 -d account_id=acc-9)
post json "${GOOD[@]}"
check "POST requests.json 200" eval 'status_is 200 && json "len(d) == 1 and d[0][\"service_request_id\"] and d[0][\"token\"] and d[0][\"account_id\"] == \"acc-9\""'
ID1=$(jget 'd[0]["service_request_id"]')
TOKEN1=$(jget 'd[0]["token"]')
check "service_notice tells the number" json "'$ID1' in d[0]['service_notice']"
post xml "${GOOD[@]}"
check "POST requests.xml 200" eval 'status_is 200 && xml_ok service_requests request/service_request_id request/token request/service_notice'
post json -d service_code=tieng-on --data-urlencode "description=Karaoke ồn" -d lat=21 -d long=105.8
check "missing api_key 403" eval 'status_is 403 && json "d[0][\"code\"] == 403"'
post xml --data-urlencode "api_key=sai" -d service_code=tieng-on -d description=x -d lat=21 -d long=105
check "bad api_key 403 (xml)" eval 'status_is 403 && xml_ok errors error/code'
post json --data-urlencode "api_key=$KEY" -d description=x -d lat=21 -d long=105
check "missing service_code 400" eval 'status_is 400 && json "d[0][\"code\"] == 400"'
post json --data-urlencode "api_key=$KEY" -d service_code=khieu-nai-to-cao -d description=x -d lat=21 -d long=105
check "unknown service_code 400" status_is 400
post json --data-urlencode "api_key=$KEY" -d service_code=tieng-on -d description=x
check "no location 400" status_is 400
post json --data-urlencode "api_key=$KEY" -d service_code=tieng-on -d description=x -d lat=91 -d long=105
check "lat out of range 400" status_is 400
post json --data-urlencode "api_key=$KEY" -d jurisdiction_id=hcm.gov.vn -d service_code=tieng-on -d description=x -d lat=21 -d long=105
check "POST other jurisdiction 404" status_is 404
post json --data-binary 'api_key=a&description=%ZZ&service_code=tieng-on'
check "malformed form body 400" eval 'status_is 400 && json "d[0][\"code\"] == 400"'
req POST $O/requests.json -H 'Content-Type: application/json' --data-binary '{"service_code":"tieng-on"}'
check "JSON body refused 400" status_is 400
head -c 100000 /dev/zero | tr '\0' 'a' >"$WORK/big"
post json --data-binary "@$WORK/big"
check "100 KB form 413 (spec form)" eval 'status_is 413 && json "d[0][\"code\"] == 413"'
head -c 2000000 /dev/zero | tr '\0' 'a' >"$WORK/huge"
post json --data-binary "@$WORK/huge"
check "2 MB body 413" status_is 413

# a complaint and an incomplete report: recorded, answered in spec form, closed
post json --data-urlencode "api_key=$KEY" -d service_code=khac -d address_string=Hà%20Nội \
	--data-urlencode "description=Tôi khiếu nại quyết định xử phạt hành chính số 123 của chủ tịch UBND phường, đề nghị hủy bỏ quyết định" \
	--data-urlencode "first_name=Bình" --data-urlencode "last_name=Lê" -d phone=0987654321
check "complaint answered 200 with a notice" eval 'status_is 200 && json "\"khiếu nại\" in d[0][\"service_notice\"]"'
ID_KN=$(jget 'd[0]["service_request_id"]')
post json --data-urlencode "api_key=$KEY" -d service_code=ve-sinh-moi-truong -d lat=21.03 -d long=105.85 \
	--data-urlencode "description=Rác thải đổ trộm đầy ven đường"
check "incomplete report answered 200" eval 'status_is 200 && json "\"thiếu\" in d[0][\"service_notice\"].lower()"'
ID_INC=$(jget 'd[0]["service_request_id"]')
post json --data-urlencode "api_key=$KEY" -d service_code=tieng-on -d lat=21 -d long=105.8 \
	--data-urlencode "description=Quán <karaoke> & \"loa\" kẹo kéo hát to tới 2 giờ sáng ở phường Láng hằng đêm" \
	--data-urlencode "first_name=C" --data-urlencode "last_name=Trần" -d email=c@example.org
check "report with markup characters 200" status_is 200
ID_X=$(jget 'd[0]["service_request_id"]')

# ---- GET requests -----------------------------------------------------------
req GET $O/requests.json
check "GET requests.json valid" eval 'status_is 200 && schema_ok requests.json && json "len(d) >= 5"'
check "no personal data in requests" eval '! grep -q -e 0912345678 -e "an@example.org" -e "Văn An" "$WORK/body"'
req GET $O/requests.xml
check "GET requests.xml" eval 'status_is 200 && xml_ok service_requests request/service_request_id request/status request/requested_datetime request/service_code'
req GET "$O/requests.xml?service_request_id=$ID_X"
check "XML escapes markup" eval 'status_is 200 && python3 -c "
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
sys.exit(0 if \"<karaoke> & \\\"loa\\\"\" in r.find(\"request/description\").text else 1)" "$WORK/body"'
req GET "$O/requests/$ID1.json"
check "GET requests/{id}.json" eval 'status_is 200 && schema_ok requests.json && json "d[0][\"service_request_id\"] == \"$ID1\" and d[0][\"status\"] == \"open\" and d[0][\"media_url\"] == \"https://example.org/o-ga.jpg\" and abs(d[0][\"lat\"] - 21.0075) < 1e-6"'
req GET "$O/requests/$ID1.xml"
check "GET requests/{id}.xml" eval 'status_is 200 && xml_ok service_requests request/agency_responsible request/lat'
req GET "$O/requests/$ID_KN.json"
check "complaint is closed with notes" eval 'status_is 200 && json "d[0][\"status\"] == \"closed\" and d[0][\"status_notes\"]"'
req GET "$O/requests/$ID_INC.json"
check "incomplete is closed" json 'd[0]["status"] == "closed"'
req GET "$O/requests/000000-0000-1.json"
check "unknown request 404" eval 'status_is 404 && json "d[0][\"code\"] == 404"'
req GET "$O/tokens/$TOKEN1.json"
check "GET tokens/{token}.json" eval 'status_is 200 && json "d[0][\"service_request_id\"] == \"$ID1\" and d[0][\"token\"] == \"$TOKEN1\""'
req GET "$O/tokens/$TOKEN1.xml"
check "GET tokens/{token}.xml" eval 'status_is 200 && xml_ok service_requests request/service_request_id request/token'
req GET "$O/tokens/nope.json"
check "unknown token 404" status_is 404
req GET "$O/requests.json?service_request_id=$ID1,$ID_KN,bogus"
check "service_request_id list" eval 'status_is 200 && json "sorted(r[\"service_request_id\"] for r in d) == sorted([\"$ID1\", \"$ID_KN\"])"'
req GET "$O/requests.json?status=closed"
check "status=closed filter" eval 'status_is 200 && json "len(d) >= 2 and all(r[\"status\"] == \"closed\" for r in d)"'
req GET "$O/requests.json?status=open&service_code=ha-tang-giao-thong"
check "status=open&service_code" eval 'status_is 200 && json "len(d) >= 1 and all(r[\"status\"] == \"open\" and r[\"service_code\"] == \"ha-tang-giao-thong\" for r in d)"'
req GET "$O/requests.json?start_date=2000-01-01T00:00:00Z&end_date=2000-01-02T00:00:00Z"
check "old date range is empty" eval 'status_is 200 && json "d == []"'
req GET "$O/requests.json?start_date=hôm-qua"
check "bad start_date 400" eval 'status_is 400 && json "d[0][\"code\"] == 400"'
req GET "$O/requests.json?start_date=2026-02-31"
check "impossible date 400" status_is 400
req GET "$O/requests.json?start_date=2026-11-02T00:00:00Z&end_date=2026-11-01T00:00:00Z"
check "end before start 400" status_is 400
req GET "$O/requests.json?page_size=1"
check "page_size=1" eval 'status_is 200 && json "len(d) == 1"'
P1=$(jget 'd[0]["service_request_id"]')
req GET "$O/requests.json?page_size=1&page=2"
check "page=2 is another request" eval 'status_is 200 && json "len(d) == 1 and d[0][\"service_request_id\"] != \"$P1\""'
req GET "$O/requests.json?page_size=5000"
check "page_size over 1000 400" status_is 400
req GET "$O/requests.json?extensions=true"
check "extensions=true adds notes, still valid" eval 'status_is 200 && schema_ok requests.json && json "all(isinstance(r[\"notes\"], list) and r[\"notes\"] for r in d)"'
req GET "$O/requests.xml?extensions=true"
check "extensions in xml" eval 'status_is 200 && xml_ok service_requests request/notes/note/status'

if pakn_cmd_wired status; then
	"$TONGDAI" pakn status --data-dir "$WORK/data" --note "Đã vá ổ gà" "$ID1" accepted >/dev/null &&
		"$TONGDAI" pakn status --data-dir "$WORK/data" --note "Đã vá xong" "$ID1" answered >/dev/null
	req GET "$O/requests/$ID1.json?extensions=true"
	# the notes are the history: received, (a duplicate report joined it), accepted, answered
	check "staff update shows as closed with notes" eval 'json "d[0][\"status\"] == \"closed\" and d[0][\"status_notes\"] == \"Đã vá xong\" and [n[\"status\"] for n in d[0][\"notes\"] if n[\"status\"]] == [\"received\", \"accepted\", \"answered\"]"'
else
	echo "skip - status update through the CLI: 'tongdai pakn status' is not wired into src/cmd yet"
fi

check "server stops cleanly" stop_server "$PID"
finish
