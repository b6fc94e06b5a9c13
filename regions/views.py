from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from regions.selectors import district_list, regency_list


@require_GET
@cache_control(public=True, max_age=24 * 3600)
def region_children(request: HttpRequest, code: str) -> JsonResponse:
    """The regencies of a province ("32") or the districts of a regency ("32.76"), for the domicile picker.

    Public and cacheable: it is the published Kemendagri list, the same for everyone.
    """
    if code.count(".") == 0:
        children = regency_list(province_code=code)
    elif code.count(".") == 1:
        children = district_list(regency_code=code)
    else:
        raise Http404
    return JsonResponse({"children": [{"code": child.code, "name": child.name} for child in children]})
