"""Traditional Chinese (Taiwan, Hong Kong, Macau)."""
from types import MappingProxyType

from assistant.i18n.lang.base import Language

LANGUAGE = Language(
    code="zh-Hant", english_name="Chinese (Traditional)", native_name="繁體中文", short_label="繁",
    names=("traditional chinese", "繁體中文", "繁體", "繁体中文", "繁体", "正體中文", "cantonese", "廣東話"),
    browser_tags=("zh-TW", "zh-HK", "zh-MO"), browser_prefixes=("zh-hant",),
    weekdays="一二三四五六日", weekday_prefix="週",
    currency_words=MappingProxyType({"USD": "美元", "EUR": "歐元", "GBP": "英鎊", "JPY": "日圓", "CNY": "人民幣",
                                     "TWD": "新台幣"}),
    currency_space=True,
    asks_how='[？?]|[吗嗎呢][。！!]*$|(能|可以|可否|可不可以).{0,12}[吗嗎]|怎么|怎樣|怎样|怎麼|如何|可以|能不能|能否|可不可以|是否|什么|什麼|为什么|為什麼|多久|多长时间|多長時間|多少|哪里(可以|能|找|看|查)|哪裡(可以|能|找|看|查)|在哪(里|裡)?(找|看|查)|会不会|會不會|有没有|有沒有|要不要|怎么办|怎麼辦|是不是|啥意思|什么意思|什麼意思|正常吗|正常嗎|几点|幾點|哪些|哪个|哪個|哪种|哪種|(拿|送)?去哪(里|裡|儿|兒)?寄|寄到哪',
    own_order='我的(订单|訂單|包裹|快递|快遞|退款|货|貨|东西|東西|鞋|外套)|我(买|買|订|訂|下单|下單)的|我(刚|剛)?(买|買)了',
    asks_to_act='帮我|幫我|(?<!申)请|(?<!申)請|给我|給我|我要(取消|退|改|换|換|申请|申請)|我想(要)?(取消|退|改|换|換)|麻烦|麻煩|到哪(了|里了|裡了)|在哪(里|裡)?[了啊呀？?]*$|进度|進度|什么时候(到|能到|发货)|什麼時候(到|能到|出貨)|发货了(吗|没)|出貨了(嗎|沒)|(找|转|轉|接|要)(真人|人工)|到账了|到帳了|(什么时候|什麼時候)(会|會|能)?(到|退|收到)|退款(呢|了吗|了嗎|了没|了沒)',
    asks_size="哪一號|哪個尺碼|哪個碼|什麼尺碼|多大號|選哪|挑哪|拿哪|尺碼(怎麼|如何|選|合適)|胸圍|腰圍|臀圍|腳長|身高|偏小|偏大|大一號|小一號|大一碼|小一碼|\\d+ ?(cm|公分|厘米)",
)
