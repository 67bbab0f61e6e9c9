"""Simplified Chinese (mainland China, Singapore)."""
from types import MappingProxyType

from assistant.i18n.lang.base import Language

LANGUAGE = Language(
    code="zh-Hans", english_name="Chinese (Simplified)", native_name="简体中文", short_label="简",
    names=("simplified chinese", "简体中文", "简体", "简体字", "普通话", "chinese", "中文"),
    browser_tags=("zh-CN", "zh-SG"), browser_prefixes=("zh",),
    weekdays="一二三四五六日", weekday_prefix="周",
    currency_words=MappingProxyType({"USD": "美元", "EUR": "欧元", "GBP": "英镑", "JPY": "日元", "CNY": "元",
                                     "TWD": "新台币"}),
    asks_how='[？?]|[吗嗎呢][。！!]*$|(能|可以|可否|可不可以).{0,12}[吗嗎]|怎么|怎樣|怎样|怎麼|如何|可以|能不能|能否|可不可以|是否|什么|什麼|为什么|為什麼|多久|多长时间|多長時間|多少|哪里(可以|能|找|看|查)|哪裡(可以|能|找|看|查)|在哪(里|裡)?(找|看|查)|会不会|會不會|有没有|有沒有|要不要|怎么办|怎麼辦|是不是|啥意思|什么意思|什麼意思|正常吗|正常嗎',
    own_order='我的(订单|訂單|包裹|快递|快遞|退款|货|貨|东西|東西|鞋|外套)|我(买|買|订|訂|下单|下單)的|我(刚|剛)?(买|買)了',
    asks_to_act='帮我|幫我|(?<!申)请|(?<!申)請|给我|給我|我要(取消|退|改|换|換|申请|申請)|我想(要)?(取消|退|改|换|換)|麻烦|麻煩|到哪(了|里了|裡了)|在哪(里|裡)?[了啊呀？?]*$|进度|進度|什么时候(到|能到|发货)|什麼時候(到|能到|出貨)|发货了(吗|没)|出貨了(嗎|沒)|(找|转|轉|接|要)(真人|人工)|到账了|到帳了|(什么时候|什麼時候)(会|會|能)?(到|退|收到)|退款(呢|了吗|了嗎|了没|了沒)',
    asks_size="哪个码|哪个尺码|什么码|多大码|选哪|拿哪|该拿|挑哪|尺码(怎么|如何|选|合适)|胸围|腰围|臀围|脚长|身高|偏小|偏大|大一码|小一码|大一号|小一号|\\d+ ?(cm|厘米|公分)",
)
