"""Provinces and the biggest cities of China: general geography shared by indexing and answering.

Used to recognise a region prefix in an organisation name ("上海飞鸽…" is 飞鸽 of 上海) and a
place named in a question in its short form ("北京" for 北京市). No district of any one plan.
"""

PROVINCES = ["北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门", "石家庄", "太原", "沈阳", "长春", "哈尔滨", "南京", "杭州", "合肥", "福州", "南昌", "济南", "郑州", "武汉", "长沙", "广州", "海口", "成都", "贵阳", "昆明", "西安", "兰州", "西宁", "呼和浩特", "南宁", "拉萨", "银川", "乌鲁木齐", "深圳", "苏州", "青岛", "大连", "宁波", "厦门", "无锡", "佛山", "东莞", "唐山", "保定", "廊坊", "雄安", "沧州", "烟台", "温州", "珠海"]
